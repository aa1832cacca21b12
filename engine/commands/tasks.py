"""Task commands: claim, unclaim, transfer, return, complete, ask for an extension, mark a stage done."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.attachments.service import attach_uploads
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.commands import authorise
from engine.definitions.versions import runtime_for
from engine.errors import Conflict
from engine.org.access import Actor
from engine.runtime.reactions import StepResult
from engine.sla.process_steps import after_task_completes, before_task_completes
from engine.sla.task_extensions import request_extension_for_task
from engine.sla.task_stages import advance_stage_for_task
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock, SlaExtension
from engine.store.models.tasks import WorkItem
from engine.tasks import service


@dataclass(frozen=True)
class Completed:
    """A completed task: its case as it now stands and the tasks the step opened."""

    case: Case
    opened: list[WorkItem]
    step: StepResult


def claim(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """Exactly one of several people claiming one task at once wins; the others get a Conflict."""
    return service.claim(session, authorise.assignable_task(session, actor, item_id), actor)


def unclaim(session: Session, actor: Actor, item_id: str) -> WorkItem:
    return service.unclaim(session, authorise.assignable_task(session, actor, item_id), actor)


def transfer(session: Session, actor: Actor, item_id: str, to_username: str, reason: str) -> WorkItem:
    return service.transfer(session, authorise.assignable_task(session, actor, item_id), actor, to_username,
                            reason)


def _complete(session: Session, actor: Actor, item: WorkItem, case: Case, answers: Mapping[str, Any],
              lang: str) -> Completed:
    asked: list[SlaExtension | None] = []

    def before_run(case: Case, item: WorkItem, data: Mapping[str, Any]) -> None:
        asked.append(before_task_completes(session, case, item, data, actor))

    step = service.complete(session, item, case, answers, actor, lang, before_run=before_run)
    for extension in asked:
        # A request asked in the step is told to who decides it: whoever may work the review step it opened.
        after_task_completes(session, case, item, extension)
    return Completed(case, list(step.opened), step)


def complete(session: Session, actor: Actor, item_id: str, data: Mapping[str, Any] | None = None, *,
             posted: Mapping[str, Any] | None = None, uploads: Mapping[str, Sequence[Upload]] | None = None,
             store: FileStore | None = None, lang: str = "zh",
             expected_case_version: int | None = None) -> Completed:
    """Complete the task with typed answers (`data`: API, CLI, demo) or an HTML form post (`posted`, with
    the new files per attachments field in `uploads`, kept in `store`).

    Attachments it names must be files of this case or the actor's own pending uploads (bound to this
    case and task here). The files' rows are added in this same transaction, before the form is
    validated: a refused file or a refused form rolls them back with everything else.
    """
    item, case = authorise.workable_task_with_case(session, actor, item_id)
    if expected_case_version is not None and case.version != expected_case_version:
        raise Conflict(f"case {case.business_key} changed since you opened it; reload and try again",
                       key="case.changed", params={"case": case.business_key})
    form = runtime_for(session, case.process_version_id).form(item.form_key)
    if posted is not None:
        answers: dict[str, Any] = form.coerce_html_form(posted) if form is not None else {}
    else:
        answers = dict(data or {})
    if form is not None and form.has_attachments:
        answers = attach_uploads(session, store, item, form, answers, uploads or {}, actor, lang)
    return _complete(session, actor, item, case, answers, lang)


def return_task(session: Session, actor: Actor, item_id: str, reason: str, lang: str = "zh") -> Completed:
    """Return the task to whoever routed it (退回): completed with its `returnWith` answers and the reason."""
    item, case = authorise.workable_task_with_case(session, actor, item_id)
    return _complete(session, actor, item, case, service.return_answers(session, item, reason), lang)


def request_extension(session: Session, actor: Actor, item_id: str, amount: float, unit: str | None,
                      reason: str) -> SlaExtension:
    """Ask for more time (延期) on this task's limit; it moves only when a supervisor approves."""
    item = authorise.workable_task(session, actor, item_id)
    return request_extension_for_task(session, item, actor, amount, unit, reason)


def stage_done(session: Session, actor: Actor, item_id: str, note: str | None = "") -> SlaClock:
    """The current stage of the task's staged limit is done; the next stage's clock starts now."""
    item = authorise.workable_task(session, actor, item_id)
    return advance_stage_for_task(session, item, actor, note)
