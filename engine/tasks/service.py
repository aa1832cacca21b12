"""Work a human task: claim, unclaim, transfer, complete. Each call is one transaction of the caller."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, undefer

from engine.audit.service import record
from engine.cases.service import get_case, load_workflow_of, persist, validate_with_form
from engine.definitions.versions import runtime_for
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.org.access import Actor, may_see, may_work
from engine.org.service import actor_for
from engine.runtime.errors import advancing
from engine.runtime.parsing import spiff_properties
from engine.runtime.projection import snapshot
from engine.runtime.stepping import run_until_wait
from engine.sla.process_steps import before_task_completes
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem


def get_item(session: Session, item_id: str, actor: Actor | None = None) -> WorkItem:
    item = session.get(WorkItem, item_id)
    if item is None or (actor is not None and not may_see(actor, item)):
        # Someone outside the task's scope learns nothing about it, not even that it exists.
        raise NotFound(f"task {item_id} does not exist")
    return item


# Completing reads the item and its case with the state in one round trip; the statement is built once
# because building it costs more than running it.
_ITEM_WITH_CASE = (
    select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
    .where(WorkItem.id == bindparam("item_id")).options(undefer(Case.workflow_state))
)


def _open_item_for(session: Session, item_id: str, actor: Actor) -> WorkItem:
    item = get_item(session, item_id)
    _check_workable(item, item_id, actor)
    return item


def _open_item_with_case(session: Session, item_id: str, actor: Actor) -> tuple[WorkItem, Case]:
    row = session.execute(_ITEM_WITH_CASE, {"item_id": item_id}).first()
    if row is None:
        raise NotFound(f"task {item_id} does not exist")
    item, case = row
    _check_workable(item, item_id, actor)
    return item, case


def _check_workable(item: WorkItem, item_id: str, actor: Actor) -> None:
    if item.status != "open":
        who = f" by {item.completed_by}" if item.completed_by else ""
        raise Conflict(f"task '{item.task_name}' is already {item.status}{who}")
    if not may_work(actor, item):
        if not may_see(actor, item):
            raise NotFound(f"task {item_id} does not exist")
        raise Forbidden(f"{actor.username} may not work task '{item.task_name}'")


def claim(session: Session, item_id: str, actor: Actor) -> WorkItem:
    item = _open_item_for(session, item_id, actor)
    if item.assignee == actor.username:
        return item
    item.assignee = actor.username
    record(session, actor=actor.username, action="task_claimed", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name)
    return item


def unclaim(session: Session, item_id: str, actor: Actor) -> WorkItem:
    item = _open_item_for(session, item_id, actor)
    if item.assignee is None:
        raise Conflict(f"task '{item.task_name}' is not claimed")
    previous = item.assignee
    item.assignee = None
    record(session, actor=actor.username, action="task_unclaimed", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name, before={"assignee": previous})
    return item


def transfer(session: Session, item_id: str, actor: Actor, to_username: str, reason: str) -> WorkItem:
    """Hand a task to a colleague of the same department who could work it themselves."""
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required to transfer a task", {"reason": ["required"]})
    item = _open_item_for(session, item_id, actor)
    target = actor_for(session, to_username)
    if item.department and target.department != item.department:
        raise Forbidden(f"{to_username} is not in department {item.department}")
    unassigned = WorkItem(role=item.role, department=item.department, grid_cell=item.grid_cell,
                          candidate_users=item.candidate_users, assignee=None)
    if not may_work(target, unassigned):
        raise Forbidden(f"{to_username} does not hold the role '{item.role}' this task needs")
    previous = item.assignee
    item.assignee = target.username
    record(session, actor=actor.username, action="task_transferred", case_id=item.case_id, task_id=item.id,
           task_name=item.task_name, before={"assignee": previous}, after={"assignee": target.username},
           details={"reason": reason})
    return item


def _task_properties(session: Session, item: WorkItem) -> dict[str, str]:
    case = get_case(session, item.case_id)
    spec = runtime_for(session, case.process_version_id).parsed.spec.task_specs.get(item.task_spec)
    return spiff_properties(spec) if spec is not None else {}


def returnable(session: Session, item: WorkItem) -> bool:
    """Whether the item's task declares how to return it (see return_task)."""
    return item.status == "open" and bool(_task_properties(session, item).get("returnWith"))


def return_task(session: Session, item_id: str, actor: Actor, reason: str, lang: str = "zh") -> tuple[Case, list[WorkItem]]:
    """Return a task to whoever routed it (退回), with a mandatory reason.

    Returning is configuration: a user task opts in with the property `returnWith`, the form data that
    means "not ours" (e.g. {"handle_decision": "return"}), and `returnReasonField`, the form field the
    reason goes in (default `return_reason`). The task is then completed with that data, so the
    process's own return path runs: re-dispatch, arbitration, counting.
    """
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required to return a task", {"reason": ["required"]})
    item = _open_item_for(session, item_id, actor)
    props = _task_properties(session, item)
    if not props.get("returnWith"):
        raise Conflict(f"task '{item.task_name}' cannot be returned; complete it instead")
    data = dict(json.loads(props["returnWith"]))
    data[props.get("returnReasonField") or "return_reason"] = reason.strip()
    return complete(session, item_id, data, actor, lang)


def complete(
    session: Session,
    item_id: str,
    data: dict[str, Any],
    actor: Actor,
    lang: str = "zh",
    expected_case_version: int | None = None,
) -> tuple[Case, list[WorkItem]]:
    """Validate the form data, run the task and advance the case to its next wait state."""
    item, case = _open_item_with_case(session, item_id, actor)
    if expected_case_version is not None and case.version != expected_case_version:
        raise Conflict(f"case {case.business_key} changed since you opened it; reload and try again")
    runtime, workflow = load_workflow_of(session, case)
    cleaned = validate_with_form(runtime, item.form_key, data, lang)
    task = workflow.get_task_from_id(UUID(item.id))
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise Conflict(f"task '{item.task_name}' is no longer waiting for input")
    loaded = snapshot(workflow)
    before = {key: task.data.get(key) for key in cleaned}
    task.data.update(cleaned)
    with advancing(f"case {case.business_key}, task '{item.task_name}'"):
        # Before the task runs: an extension it asks for is recorded while its clock still runs.
        before_task_completes(session, case, item, task.data, actor)
        task.run()
        run_until_wait(workflow)
    now = datetime.now(UTC)
    item.status = "completed"
    item.completed_at = now
    item.completed_by = actor.username
    item.assignee = item.assignee or actor.username
    record(session, actor=actor.username, action="task_completed", case_id=case.id, task_id=item.id,
           task_name=item.task_name, before=before, after=cleaned)
    created = persist(session, case, workflow, actor.username, loaded, handled=item.id)
    return case, created

