"""Case commands: start (from typed data or a form post with files) and cancel."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.attachments.service import bind_to_case, store_start_uploads
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.cases.service import cancel_case, start_case
from engine.cases.starting import authorise_start
from engine.commands import authorise
from engine.errors import Forbidden
from engine.forms.filling import Filler
from engine.org.access import Actor
from engine.store.models.cases import Case


def start(session: Session, actor: Actor, process_key: str, data: Mapping[str, Any] | None = None, *,
          posted: Mapping[str, Any] | None = None, uploads: Mapping[str, Sequence[Upload]] | None = None,
          store: FileStore | None = None, version: int | None = None, lang: str = "zh") -> Case:
    """Open a case of `process_key` if the start event's starters (or lane) admit the actor.

    `data` are typed answers (API, CLI, demo, message and rule starts); `posted` an HTML form post whose
    new files per attachments field are `uploads`, kept in `store`. Attachment metadata in `data` may
    name one of our files (``{"id": 17}``) only if it is the actor's own pending upload, which is bound
    to the new case in this transaction: a refused file or form leaves neither a case nor a row.
    """
    entry = authorise_start(session, process_key, version, actor)
    form = entry.form
    answers: dict[str, Any] = (form.coerce_html_form(posted) if form is not None else {}) if posted is not None \
        else dict(data or {})
    stored: list[int] = []
    if form is not None and form.has_attachments:
        answers, stored = store_start_uploads(session, store, form, answers, uploads or {}, actor, lang)
    # The people's path: a value for a field only a message or an event rule fills is refused (ui:filledBy).
    case = start_case(session, process_key, answers, actor, version=entry.version, lang=lang, filler=Filler.PERSON)
    bind_to_case(session, stored, case.id)
    return case


def may_cancel(actor: Actor, case: Case) -> bool:
    return actor.sees_all or case.opened_by == actor.username


def cancel(session: Session, actor: Actor, case_id: int, reason: str) -> Case:
    """Cancel a running case (supervisors and admins, or whoever opened it), with a reason."""
    case = authorise.visible_case(session, actor, case_id)
    if not may_cancel(actor, case):
        raise Forbidden(f"you may not cancel case {case.business_key}", key="case.may_not_cancel",
                        params={"case": case.business_key})
    return cancel_case(session, case.id, actor, reason)
