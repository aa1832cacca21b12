"""A task as its page shows it: the item, its case, its form and the values to prefill."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.record import CaseRecord, case_record
from engine.cases.service import get_case
from engine.definitions.versions import runtime_for
from engine.errors import Forbidden
from engine.org.access import Actor, could_work_unclaimed, may_work_task, visible_task
from engine.org.service import actor_from_user, display_names
from engine.runtime.serialization import load_workflow
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.org import User
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus


@dataclass
class TaskView:
    item: WorkItem
    case: Case
    form: Any | None  # engine.forms.FormDefinition
    values: dict[str, Any]
    can_work: bool
    assignee_name: str | None = None  # the assignee's display name
    # The case as the earlier steps left it, read-only: the same before and after claiming.
    record: CaseRecord | None = None


def authorised_item(session: Session, item_id: str, actor: Actor, to_work: bool = False) -> WorkItem:
    """The item if `actor` may see it (and, for `to_work`, work it while it is open).

    The refusal policy of the commands (engine.commands): NotFound for a task the actor may not see, as
    for one that does not exist; Forbidden for one they see but may not work (a closed one is the
    step's Conflict). Both come from the access specification (engine.org.access).
    """
    item = visible_task(session, actor, item_id)
    if to_work and item.status == WorkItemStatus.OPEN and not may_work_task(session, actor, item_id):
        raise Forbidden(f"{actor.username} may not work task '{item.task_name}'")
    return item


def task_view(session: Session, item_id: str, actor: Actor, lang: str = "zh", with_record: bool = False) -> TaskView:
    item = authorised_item(session, item_id, actor)
    case = get_case(session, item.case_id, with_state=item.status == WorkItemStatus.OPEN)
    runtime = runtime_for(session, case.process_version_id)
    form = runtime.form(item.form_key)
    values: dict[str, Any] = {}
    if item.status == WorkItemStatus.OPEN and form is not None:
        # One workflow load for one task page is fine; inbox lists never do this.
        # Read from the row, not taken from the kept workflows: a page view must not cost the next step.
        workflow = load_workflow(case.workflow_state, runtime.parsed)
        task = workflow.get_task_from_id(UUID(item.id))
        if task is not None:
            values = {name: task.data[name] for name in form.field_map if name in task.data}
    elif form is not None:
        # What was submitted, as the audit trail recorded it when the task was completed.
        done = session.scalars(select(AuditEvent).where(AuditEvent.task_id == item.id,
                                                        AuditEvent.action == "task_completed")).first()
        values = dict(done.after or {}) if done is not None else {}
    assignee_name = display_names(session, [item.assignee], lang).get(item.assignee or "")
    can_work = item.status == WorkItemStatus.OPEN and may_work_task(session, actor, item.id)
    record = case_record(session, case, lang, current=item) if with_record else None
    return TaskView(item, case, form, values, can_work, assignee_name, record)


def transfer_targets(session: Session, item: WorkItem, viewer: str | None = None) -> list[User]:
    """Colleagues who could work the item themselves (same department, the lane's role); neither the
    assignee nor the person looking is a colleague to hand it to."""
    query = select(User).where(User.active.is_(True)).order_by(User.username)
    if item.department:
        query = query.where(User.department == item.department)
    return [u for u in session.scalars(query) if u.username not in (item.assignee, viewer)
            and could_work_unclaimed(session, actor_from_user(session, u), item.id)]


def posted_values(session: Session, item: WorkItem, posted: Any) -> dict[str, Any]:
    """A refused form post as typed values of the item's form, to show the form again as it was filled."""
    case = get_case(session, item.case_id)
    form = runtime_for(session, case.process_version_id).form(item.form_key)
    return form.coerce_html_form(posted) if form is not None else {}
