"""Work a human task: the domain steps behind claim, unclaim, transfer, return and complete.

The caller (engine.commands.tasks) has authorised the actor and holds the item; each function is one
step inside the caller's transaction and changes nothing when it raises.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.audit.service import batched, record
from engine.cases.service import load_workflow_of, lock_case_row, persist, validate_with_form
from engine.definitions.versions import runtime_for
from engine.errors import Conflict, Forbidden, InvalidInput
from engine.org.access import Actor, could_work_unclaimed
from engine.org.service import actor_for
from engine.runtime.errors import advancing
from engine.runtime.parsing import spiff_properties
from engine.runtime.projection import snapshot
from engine.runtime.reactions import StepResult
from engine.runtime.stepping import run_until_wait
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.prepared import PreparedStatement
from engine.store.statuses import WorkItemStatus

# Called with the task's data (its form answers merged in) just before the task runs: an extension the
# task asks for is recorded while its clock still runs (engine.sla.process_steps).
BeforeRun = Callable[[Case, WorkItem, Mapping[str, Any]], None]


def require_reason(reason: str | None, what: str) -> str:
    if not reason or not reason.strip():
        raise InvalidInput(f"a reason is required to {what}", {"reason": ["required"]}, key="reason.required")
    return reason.strip()


def _reassign(session: Session, item: WorkItem, expected: str | None, to: str | None) -> bool:
    """Set the assignee only if the row is still open and still held by ``expected``; False if not.

    A conditional UPDATE rather than a read-modify-write of the loaded row: two sessions that both
    read the task unclaimed cannot both claim it. On PostgreSQL the second UPDATE waits for the first
    writer's row lock and then re-checks its WHERE against the committed row; on SQLite writers are
    serialised by BEGIN IMMEDIATE. The row count decides who won.
    """
    held = WorkItem.assignee.is_(None) if expected is None else WorkItem.assignee == expected
    result = session.execute(
        update(WorkItem).where(WorkItem.id == item.id, WorkItem.status == WorkItemStatus.OPEN, held)
        .values(assignee=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(item, "assignee", to)
    return True


def _changed_meanwhile(session: Session, item: WorkItem) -> Conflict:
    """The conflict to report once a conditional update lost: who holds the task now, in words."""
    session.refresh(item)
    if item.status != WorkItemStatus.OPEN:
        return Conflict(f"task '{item.task_name}' is already {item.status}", key="task.closed",
                        params={"task": item.task_name, "task_status": item.status})
    if item.assignee:
        return Conflict(f"task '{item.task_name}' was just claimed by {item.assignee}; it is no longer free",
                        key="task.just_claimed", params={"task": item.task_name, "holder_user": item.assignee})
    return Conflict(f"task '{item.task_name}' was just changed by someone else; reload and try again",
                    key="task.just_changed", params={"task": item.task_name})


def claim(session: Session, item: WorkItem, actor: Actor) -> WorkItem:
    """Exactly one of several people claiming one task at once wins; the others get a Conflict."""
    if item.assignee == actor.username:
        return item
    previous = item.assignee
    if not _reassign(session, item, previous, actor.username):
        conflict = _changed_meanwhile(session, item)
        if item.status == WorkItemStatus.OPEN and item.assignee == actor.username:
            return item  # the same user's other request won: one claim, one audit row
        raise conflict
    record(session, actor=actor.username, action="task_claimed", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name, before={"assignee": previous} if previous else None)
    return item


def unclaim(session: Session, item: WorkItem, actor: Actor) -> WorkItem:
    if item.assignee is None:
        raise Conflict(f"task '{item.task_name}' is not claimed", key="task.not_claimed",
                       params={"task": item.task_name})
    previous = item.assignee
    if not _reassign(session, item, previous, None):
        raise _changed_meanwhile(session, item)
    record(session, actor=actor.username, action="task_unclaimed", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name, before={"assignee": previous})
    return item


def transfer(session: Session, item: WorkItem, actor: Actor, to_username: str, reason: str) -> WorkItem:
    """Hand a task to a colleague of the same department who could work it themselves.

    Only from the holder the transfer was decided against: a claim or transfer that got in first
    makes this one a Conflict, so a task never ends up with two people told they own it."""
    reason = require_reason(reason, "transfer a task")
    target = actor_for(session, to_username)
    if item.department and target.department != item.department:
        raise Forbidden(f"{to_username} is not in department {item.department}", key="task.transfer_other_department",
                        params={"to_user": to_username, "department_unit": item.department})
    if not could_work_unclaimed(session, target, item.id):
        raise Forbidden(f"{to_username} does not hold the role '{item.role}' this task needs",
                        key="task.transfer_lacks_role", params={"to_user": to_username})
    previous = item.assignee
    if not _reassign(session, item, previous, target.username):
        raise _changed_meanwhile(session, item)
    record(session, actor=actor.username, action="task_transferred", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name, before={"assignee": previous}, after={"assignee": target.username},
           details={"reason": reason})
    return item


def task_properties(session: Session, item: WorkItem) -> dict[str, str]:
    case = session.get(Case, item.case_id)
    if case is None:
        return {}
    spec = runtime_for(session, case.process_version_id).parsed.spec.task_specs.get(item.task_spec)
    return spiff_properties(spec) if spec is not None else {}


def returnable(session: Session, item: WorkItem) -> bool:
    """Whether the item's task declares how to return it (see return_answers)."""
    return item.status == WorkItemStatus.OPEN and bool(task_properties(session, item).get("returnWith"))


def return_offered_in_form(session: Session, item: WorkItem, form: Any) -> bool:
    """Whether the task's own form already offers the return its `returnWith` names (签收处置's 退回 choice):
    then the page shows the return once, in the form, where the process defines it."""
    props = task_properties(session, item)
    if form is None or not props.get("returnWith"):
        return False
    fields = form.field_map
    reason_field = props.get("returnReasonField") or "return_reason"
    for name, value in dict(json.loads(props["returnWith"])).items():
        spec = fields.get(name)
        if spec is None or (spec.options and value not in [o.value for o in spec.options]):
            return False
    return reason_field in fields


def return_answers(session: Session, item: WorkItem, reason: str) -> dict[str, Any]:
    """The answers that return a task to whoever routed it (退回), with its mandatory reason.

    Returning is configuration: a user task opts in with the property `returnWith`, the form data that
    means "not ours" (e.g. {"handle_decision": "return"}), and `returnReasonField`, the form field the
    reason goes in (default `return_reason`). The task is then completed with that data, so the
    process's own return path runs: re-dispatch, arbitration, counting.
    """
    reason = require_reason(reason, "return a task")
    props = task_properties(session, item)
    if not props.get("returnWith"):
        raise Conflict(f"task '{item.task_name}' cannot be returned; complete it instead",
                       key="task.not_returnable", params={"task": item.task_name})
    data = dict(json.loads(props["returnWith"]))
    data[props.get("returnReasonField") or "return_reason"] = reason
    return data


def _close_statement(held: Any, *, takes_assignee: bool) -> Any:
    table = WorkItem.__table__
    values = {"status": bindparam("new_status"), "completed_at": bindparam("new_completed_at"),
              "completed_by": bindparam("new_completed_by")}
    if takes_assignee:
        values["assignee"] = bindparam("new_assignee")
    return (update(table).where(table.c.id == bindparam("item_id"), table.c.status == WorkItemStatus.OPEN, held)
            .values(values))


# Prepared once (engine.store.prepared): the item still open and held as it was read. A held item keeps its
# assignee, and the statement does not name it: the database rewrites the entries of every index over a
# column the SET names (two of the item's indexes lead with the assignee), whether or not its value changes.
_CLOSE_UNCLAIMED = PreparedStatement(_close_statement(WorkItem.__table__.c.assignee.is_(None), takes_assignee=True))
_CLOSE_HELD = PreparedStatement(_close_statement(WorkItem.__table__.c.assignee == bindparam("held_by"),
                                                 takes_assignee=False))


def _close(session: Session, item: WorkItem, actor: Actor) -> None:
    """Mark the item completed only if it is still open and held as it was read: a colleague's claim that
    committed meanwhile does not touch the case row, so the case's version check alone would let this
    completion overwrite it (the claimer told they hold a task someone else completed)."""
    # The case row first, as every step locks it (engine.cases.service.persist): taking the item's row lock
    # before the case's would deadlock with a step that withdraws this item.
    lock_case_row(session, item.case_id)
    values = {"status": WorkItemStatus.COMPLETED, "completed_at": datetime.now(UTC),
              "completed_by": actor.username, "assignee": item.assignee or actor.username}
    statement = _CLOSE_UNCLAIMED if item.assignee is None else _CLOSE_HELD
    result = statement.execute(session, {
        "item_id": item.id, "held_by": item.assignee, "new_status": values["status"],
        "new_completed_at": values["completed_at"], "new_completed_by": values["completed_by"],
        "new_assignee": values["assignee"]})
    if result.rowcount != 1:
        raise _changed_meanwhile(session, item)
    for key, value in values.items():
        set_committed_value(item, key, value)


def complete(session: Session, item: WorkItem, case: Case, data: Mapping[str, Any], actor: Actor,
             lang: str = "zh", before_run: BeforeRun | None = None) -> StepResult:
    """Validate the form data, run the task and advance the case to its next wait state."""
    runtime, workflow = load_workflow_of(session, case)
    cleaned = validate_with_form(runtime, item.form_key, dict(data), lang, case)
    task = workflow.get_task_from_id(UUID(item.id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict(f"task '{item.task_name}' is no longer waiting for input", key="task.not_waiting",
                       params={"task": item.task_name})
    loaded = snapshot(workflow)
    before = {key: task.data.get(key) for key in cleaned}
    task.data.update(cleaned)
    with advancing(f"case {case.business_key}, task '{item.task_name}'"):
        if before_run is not None:
            before_run(case, item, task.data)
        task.run()
        run_until_wait(workflow)
    _close(session, item, actor)
    # The completion's audit row and those of the tasks the step opens go in one statement (persist writes them).
    with batched(session):
        record(session, actor=actor.username, action="task_completed", case_id=case.id, task_id=item.id,
               task_name=item.task_name, before=before, after=cleaned)
        return persist(session, case, workflow, actor.username, loaded, handled=item.id)
