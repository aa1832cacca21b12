"""Attach files to a task's or a start form, and hand them out again to those who may see the case.

Like every service, these take the session first and never commit: the caller's transaction holds
the attachment rows together with the task completion or the case start they belong to, so a form
refused by validation leaves no row behind. A start form's files are stored before the case exists
(``store_start_uploads``, rows without a case, visible to nobody) and bound to it once it is started
(``bind_to_case``), all in the start's transaction. The file itself may stay in the upload directory; a file that no
row names is unreachable and costs at most its own space (the store keeps one copy per content) until
the orphan purge (engine.attachments.purge) removes it.

A file may also be uploaded ahead of its form (the JSON API, engine.attachments.unbound): its row has
no case until a completion or start names it (``{"id": 17}`` or its ``url``). Such a *pending* upload
is bound only by the user who uploaded it, once, to the field that names it, and only if that field
takes its type and size (``_kept``); otherwise the form is refused with a field error.
"""
from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.attachments.images import NotAnImage, checked_image, is_image_type
from engine.attachments.limits import accept_in_words, accept_of, accepts, human_size, keeps_exif, size_limit
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.errors import InvalidInput, NotFound
from engine.forms import messages
from engine.forms.definition import FormDefinition
from engine.forms.fields import FieldSpec
from engine.org.access import Actor, check_workable, may_see_case
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

log = logging.getLogger(__name__)

URL_PREFIX = "/attachments/"
_OUR_URL = re.compile(r"^/attachments/(\d{1,10})$")
# More files than any form field needs (the shipped forms allow 9); a field's maxItems may lower it.
MAX_FILES_PER_FIELD = 100


@dataclass(frozen=True)
class OpenedAttachment:
    """A file ready to be sent: what it is called, its type and size, and its bytes (close it after)."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    stream: BinaryIO


def attachment_url(attachment_id: int) -> str:
    return f"{URL_PREFIX}{attachment_id}"


def metadata(row: Attachment) -> dict[str, Any]:
    """What the form field stores for a file: the shape engine.forms.attachments enforces."""
    return {"name": row.file_name, "content_type": row.content_type, "size": row.size,
            "url": attachment_url(row.id)}


def store_upload(session: Session, store: FileStore, item: WorkItem, spec: FieldSpec, upload: Upload,
                 actor: Actor, lang: str = "zh") -> dict[str, Any]:
    """Keep one file posted for the attachments field `spec` of the open task `item`; its metadata.

    Refused with InvalidInput ``{field: [message]}`` (the shape form validation uses) when the file is
    larger than the store or the form allows, or is not of a type the field's ``accept`` lists; then
    no row is added and the refused bytes are not kept.
    """
    _check_may_attach(session, item, actor)
    return metadata(_store(session, store, spec, upload, actor, lang, item.case_id, item.id))


def _store(session: Session, store: FileStore, spec: FieldSpec, upload: Upload, actor: Actor, lang: str,
           case_id: int | None, work_item_id: str | None) -> Attachment:
    """Check the file against the field, keep its bytes and add its row (flushed: the id is its URL)."""
    if spec.widget != "attachments":
        raise ValueError(f"field {spec.name!r} is not an attachments field")
    return keep_file(session, store, upload, actor, lang, accept=accept_of(spec),
                     limit=size_limit(spec, store.max_bytes), error_key=spec.name, field_name=spec.name,
                     case_id=case_id, work_item_id=work_item_id, keep_exif=keeps_exif(spec))


def keep_file(session: Session, store: FileStore, upload: Upload, actor: Actor, lang: str, *, accept: str,
              limit: int, error_key: str, field_name: str, case_id: int | None,
              work_item_id: str | None, keep_exif: bool = False) -> Attachment:
    """Check the file's type against `accept` and its size against `limit` while it is stored, then add
    its row (flushed: the id is its URL). InvalidInput ``{error_key: [message]}`` when refused, with no
    row added and the refused bytes not kept.

    A file declared an image is checked by its content (engine.attachments.images) and stored with the
    type its content shows; a JPEG or PNG is stored without its EXIF (the place it was taken) unless
    `keep_exif`."""
    name, content_type = upload.name, upload.media_type

    def refused(key: str, **params: str) -> InvalidInput:
        return InvalidInput(messages.text("form_invalid", lang), {error_key: [messages.text(key, lang, **params)]},
                            key="form.invalid")

    if not accepts(accept, content_type, name):
        raise refused("attachment_type", name=name, accept=accept_in_words(accept, lang))
    stream: BinaryIO = upload.stream
    if is_image_type(content_type):
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise refused("attachment_too_large", name=name, limit=human_size(limit))
        try:
            image = checked_image(data, keep_metadata=keep_exif)
        except NotAnImage as not_image:
            log.info("upload %r declared %s refused: %s", name, content_type, not_image)
            raise refused("attachment_not_image", name=name) from None
        content_type, stream = image.content_type, io.BytesIO(image.data)
        if not accepts(accept, content_type, name):  # a PNG sent as the JPEG a field asks for
            raise refused("attachment_type", name=name, accept=accept_in_words(accept, lang))
    blob = store.put(stream, limit)
    if blob is None:
        raise refused("attachment_too_large", name=name, limit=human_size(limit))
    row = Attachment(case_id=case_id, work_item_id=work_item_id, field_name=field_name, file_name=name,
                     content_type=content_type, size=blob.size, sha256=blob.sha256, stored_by=actor.username)
    session.add(row)
    session.flush()  # the id is the file's URL
    return row


def attach_uploads(session: Session, store: FileStore | None, item: WorkItem, form: FormDefinition,
                   data: Mapping[str, Any], uploads: Mapping[str, Sequence[Upload]], actor: Actor,
                   lang: str = "zh") -> dict[str, Any]:
    """`data` (the coerced post) with each attachments field's new files stored and appended after the
    attachments it keeps; what to pass on to the task's completion.

    Kept attachments that point at one of our files must be files of this case; their metadata is
    taken from the row, so a post cannot relabel a file or borrow another case's. Files posted for a
    field that is not an attachments field, or is hidden by the answers, are not stored (the value of
    a hidden field is dropped by validation anyway). When a file is refused, the other answers are
    validated too, so the form comes back with every problem at once.
    """
    def keep(spec: FieldSpec, upload: Upload) -> Attachment:
        assert store is not None
        _check_may_attach(session, item, actor)
        return _store(session, store, spec, upload, actor, lang, item.case_id, item.id)

    def claim(spec: FieldSpec, row: Attachment) -> None:
        _check_may_attach(session, item, actor)
        row.case_id, row.work_item_id, row.field_name = item.case_id, item.id, spec.name

    result, _rows = _attach(session, store, item.case_id, form, data, uploads, keep, lang, actor, claim)
    return result


def store_start_uploads(session: Session, store: FileStore | None, form: FormDefinition,
                        data: Mapping[str, Any], uploads: Mapping[str, Sequence[Upload]], actor: Actor,
                        lang: str = "zh") -> tuple[dict[str, Any], list[int]]:
    """A start form's `data` with its new files stored and appended, as ``attach_uploads`` does for a
    task; and the ids of the rows added, which have no case yet: pass them to ``bind_to_case`` once
    the case is started, in the same transaction.

    The caller has checked that `actor` may start the process. There is no case a kept attachment
    could belong to, so kept metadata naming one of our files is refused (the task form's rule:
    the file must be of the same case) unless it is `actor`'s own pending upload: its id is returned
    with the new rows', to be bound the same way. An external link or metadata alone is left to the schema.
    """
    claimed: list[int] = []

    def keep(spec: FieldSpec, upload: Upload) -> Attachment:
        assert store is not None
        return _store(session, store, spec, upload, actor, lang, None, None)

    def claim(spec: FieldSpec, row: Attachment) -> None:
        row.field_name = spec.name
        claimed.append(row.id)

    result, rows = _attach(session, store, None, form, data, uploads, keep, lang, actor, claim)
    return result, [row.id for row in rows] + claimed


def bind_to_case(session: Session, attachment_ids: Collection[int], case_id: int) -> None:
    """Give the rows stored by ``store_start_uploads`` their new case, in one UPDATE.

    Only rows still without a case are bound; if any named row is missing or already has a case,
    something else took it, and the start must not go ahead (RuntimeError, the transaction rolls back).
    """
    ids = sorted(set(attachment_ids))
    if not ids:
        return
    bound = session.execute(
        update(Attachment).where(Attachment.id.in_(ids), Attachment.case_id.is_(None)).values(case_id=case_id)
        .execution_options(synchronize_session="evaluate"))
    if bound.rowcount != len(ids):
        raise RuntimeError(f"attachments {ids}: {bound.rowcount} bound to case {case_id}, expected {len(ids)}")


def _attach(session: Session, store: FileStore | None, case_id: int | None, form: FormDefinition,
            data: Mapping[str, Any], uploads: Mapping[str, Sequence[Upload]],
            keep: Callable[[FieldSpec, Upload], Attachment], lang: str, actor: Actor,
            claim: Callable[[FieldSpec, Attachment], None]) -> tuple[dict[str, Any], list[Attachment]]:
    """`data` with each attachments field's kept entries checked against `case_id` (pending uploads of
    `actor` handed to `claim`) and its new files kept by `keep`; the rows added. InvalidInput with
    every problem of the form when a file is refused."""
    if store is None and any(uploads.values()):
        raise ValueError("files were posted but there is no FileStore to keep them")
    result = dict(data)
    errors: dict[str, list[str]] = {}
    rows: list[Attachment] = []
    visible = form.visible_fields(data)
    for spec in form.fields:
        if spec.widget != "attachments":
            continue
        kept = _kept(session, case_id, data.get(spec.name), spec, lang, errors, actor,
                     claim if spec.name in visible else None)
        new: list[dict[str, Any]] = []
        if spec.name in visible:
            for upload in uploads.get(spec.name, ()):
                try:
                    row = keep(spec, upload)
                except InvalidInput as refused:
                    for message in refused.details.get(spec.name, []):
                        errors.setdefault(spec.name, []).append(message)
                    continue
                rows.append(row)
                new.append(metadata(row))
        if isinstance(kept, list):
            kept = kept + new
        elif new:
            kept = new
        if kept is not None:
            result[spec.name] = kept
    if errors:
        raise InvalidInput(messages.text("form_invalid", lang), _with_other_errors(form, result, errors, lang),
                           key="form.invalid")
    return result, rows


def open_attachment(session: Session, store: FileStore, attachment_id: int, actor: Actor) -> OpenedAttachment:
    """The file for download if `actor` may see its case.

    Otherwise NotFound, exactly as for an id that does not exist: ids are sequential, and someone
    outside a case's scope must not learn which ones are taken.
    """
    missing = NotFound(f"attachment {attachment_id} does not exist")
    row = session.get(Attachment, attachment_id)
    if row is None or row.case_id is None:  # a start form's file before its case exists: nobody's
        raise missing
    case = session.get(Case, row.case_id)
    if case is None or not may_see_case(session, actor, case.id):
        raise missing
    try:
        stream = store.open(row.sha256)
    except FileNotFoundError:
        # A row without its file: the upload directory was not restored with the database.
        log.error("attachment %s: file %s is missing from %s", row.id, row.sha256, store.root)
        raise missing from None
    return OpenedAttachment(row.id, row.file_name, row.content_type, row.size, row.sha256, stream)


def _check_may_attach(session: Session, item: WorkItem, actor: Actor) -> None:
    """Files are taken only for a task the actor may complete, before anything is written."""
    check_workable(session, actor, item)


def _kept(session: Session, case_id: int | None, value: Any, spec: FieldSpec, lang: str,
          errors: dict[str, list[str]], actor: Actor,
          claim: Callable[[FieldSpec, Attachment], None] | None) -> Any:
    """The kept attachments, those naming our files replaced by their rows' metadata.

    A file of ours must be of `case_id` (with no case, a start form, none is), or a pending upload
    (no case yet) that `actor` made and this field takes: that one is handed to `claim` to be bound
    (unless `claim` is None: the field is hidden, and validation drops its value). Its row is read
    again under a row lock, so a concurrent purge or another form binding it cannot take it too.
    """
    if not isinstance(value, list):
        return value  # nothing kept, or a value validation will refuse as it stands
    limit = reference_limit(spec)
    if len(value) > limit:
        # Refused before any entry is looked up: ten thousand references must not cost ten thousand queries.
        errors.setdefault(spec.name, []).append(messages.text("attachment_too_many", lang, limit=limit))
        return []
    kept: list[Any] = []
    for entry in value:
        ref = _reference(entry)
        if ref is None:
            kept.append(entry)  # an external link or metadata alone: the form's schema judges it
            continue
        name = str(entry.get("name") or entry.get("url") or f"#{ref}")
        row = session.get(Attachment, ref)
        if row is not None and row.case_id is None and claim is not None:
            row = session.get(Attachment, ref, with_for_update=True, populate_existing=True)
        if row is not None and case_id is not None and row.case_id == case_id:
            kept.append(metadata(row))
            continue
        if row is None or row.case_id is not None or claim is None:
            errors.setdefault(spec.name, []).append(messages.text("attachment_unknown", lang, name=name))
            continue
        problem = _pending_problem(row, name, spec, actor, lang)
        if problem is not None:
            errors.setdefault(spec.name, []).append(problem)
            continue
        claim(spec, row)  # a start form's row stays without a case: named twice, it is bound once
        kept.append(metadata(row))
    return kept


def reference_limit(spec: FieldSpec) -> int:
    """How many files one attachments field may name: its schema's ``maxItems``, else MAX_FILES_PER_FIELD."""
    declared = spec.schema.get("maxItems")
    if isinstance(declared, int) and not isinstance(declared, bool) and declared >= 0:
        return min(declared, MAX_FILES_PER_FIELD)
    return MAX_FILES_PER_FIELD


def _reference(entry: Any) -> int | None:
    """The id of our file an entry names: ``{"url": "/attachments/17", …}`` or ``{"id": 17}``; else None."""
    if not isinstance(entry, Mapping):
        return None
    url = entry.get("url")
    if isinstance(url, str):
        match = _OUR_URL.match(url)
        return int(match[1]) if match else None
    ident = entry.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= 2**31 - 1:
        return ident
    return None


def _pending_problem(row: Attachment, named: str, spec: FieldSpec, actor: Actor, lang: str) -> str | None:
    """Why `actor` may not bind the pending upload `row` (`named` so by the client) to the field `spec`,
    or None. Someone else's file is called what the client called it: its stored name is not theirs to read."""
    if row.stored_by != actor.username:
        return messages.text("attachment_not_yours", lang, name=named)
    accept = accept_of(spec)
    if not accepts(accept, row.content_type, row.file_name):
        return messages.text("attachment_type", lang, name=row.file_name, accept=accept_in_words(accept, lang))
    limit = size_limit(spec, row.size)
    if row.size > limit:
        return messages.text("attachment_too_large", lang, name=row.file_name, limit=human_size(limit))
    return None


def _with_other_errors(form: FormDefinition, data: Mapping[str, Any], errors: dict[str, list[str]],
                       lang: str) -> dict[str, list[str]]:
    """The refused files' errors plus the form's own, a field with a refused file showing only those."""
    merged = dict(errors)
    try:
        form.validate_submission(data, lang)
    except InvalidInput as invalid:
        for path, found in (invalid.details or {}).items():
            if path.split(".", 1)[0] not in errors:
                merged[path] = list(found)
    rank = {spec.name: i for i, spec in enumerate(form.fields)}
    return dict(sorted(merged.items(), key=lambda item: rank.get(item[0].split(".", 1)[0], -1)))
