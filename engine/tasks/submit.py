"""Complete a task from an HTML form post: authorise, coerce the posted strings, store posted files, complete."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.attachments.service import attach_uploads
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.definitions.versions import runtime_for
from engine.forms.definition import FormDefinition
from engine.org.access import Actor
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.tasks.service import complete
from engine.tasks.view import authorised_item


def _form_of(session: Session, item: WorkItem) -> FormDefinition | None:
    case = session.get(Case, item.case_id)
    assert case is not None
    return runtime_for(session, case.process_version_id).form(item.form_key)


def coerce_posted(session: Session, item: WorkItem, posted: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form (`{name: str | [str]}` or a MultiDict) as typed data for the item's form."""
    form = _form_of(session, item)
    return form.coerce_html_form(posted) if form is not None else {}


def complete_posted(session: Session, item_id: str, posted: Mapping[str, Any], actor: Actor, lang: str = "zh",
                    expected_case_version: int | None = None, *,
                    uploads: Mapping[str, Sequence[Upload]] | None = None,
                    store: FileStore | None = None) -> tuple[Case, list[WorkItem]]:
    """Complete the item with the posted answers; `uploads` are the new files per attachments field,
    kept in `store`.

    The files' rows are added in this same transaction, before the completion validates the form:
    a refused file or a refused form rolls them back together with everything else.
    """
    item = authorised_item(session, item_id, actor, to_work=True)
    form = _form_of(session, item)
    data = form.coerce_html_form(posted) if form is not None else {}
    if form is not None and form.has_attachments:
        data = attach_uploads(session, store, item, form, data, uploads or {}, actor, lang)
    return complete(session, item.id, data, actor, lang=lang, expected_case_version=expected_case_version)


def complete_with_data(session: Session, item_id: str, data: Mapping[str, Any], actor: Actor, lang: str = "zh",
                       expected_case_version: int | None = None) -> tuple[Case, list[WorkItem]]:
    """Complete the item with typed answers (the JSON API), under the rules a form post follows.

    Attachments it keeps that name one of our files must be files of this case, or the actor's own
    pending uploads (``POST /api/v1/attachments``, engine.attachments.unbound), which are bound to this
    case and task here; their metadata is taken from the row, as for a form post.
    """
    item = authorised_item(session, item_id, actor, to_work=True)
    form = _form_of(session, item)
    answers = dict(data)
    if form is not None and form.has_attachments:
        answers = attach_uploads(session, None, item, form, answers, {}, actor, lang)
    return complete(session, item.id, answers, actor, lang=lang, expected_case_version=expected_case_version)
