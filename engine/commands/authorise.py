"""The commands' single refusal policy (see engine.commands): one place answers "may this actor act on
this task / case", with one status code per kind of refusal."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, undefer

from engine.cases.access import may_see_case
from engine.errors import Conflict, Forbidden, NotFound
from engine.org.access import Actor, is_candidate, may_see, may_work
from engine.org.service import display_names
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, WorkItemStatus

# Completing reads the item and its case with the state in one round trip; the statement is built once
# because building it costs more than running it.
_ITEM_WITH_CASE = (
    select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
    .where(WorkItem.id == bindparam("item_id")).options(undefer(Case.workflow_state))
)


def _sees_task(actor: Actor, item: WorkItem) -> bool:
    return may_see(actor, item) or item.completed_by == actor.username


def visible_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """The task, if the actor may see it; NotFound otherwise (as for an id that does not exist)."""
    item = session.get(WorkItem, item_id)
    if item is None or not _sees_task(actor, item):
        raise NotFound(f"task {item_id} does not exist")
    return item


def _check_workable(actor: Actor, item: WorkItem) -> None:
    if item.status != WorkItemStatus.OPEN:
        raise Conflict(f"task '{item.task_name}' is already {item.status}")
    if not may_work(actor, item):
        raise Forbidden(f"you may not work task '{item.task_name}'")


def workable_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """The open task, if the actor may work it: NotFound, Conflict (no longer open) or Forbidden otherwise."""
    item = visible_task(session, actor, item_id)
    _check_workable(actor, item)
    return item


def assignable_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """workable_task for claim, unclaim and transfer: a task a colleague holds is a Conflict, not Forbidden.

    Someone who could have claimed the task was simply later than the colleague who holds it now (or a
    claim or transfer got in first): a conflict of timing, not of rights, and the same answer whether
    the two requests overlapped or not."""
    item = visible_task(session, actor, item_id)
    if item.status == WorkItemStatus.OPEN and item.assignee and item.assignee != actor.username \
            and not actor.is_system and is_candidate(actor, item):
        holder = display_names(session, [item.assignee]).get(item.assignee, item.assignee)
        raise Conflict(f"task '{item.task_name}' is already claimed by {holder}; it is no longer free")
    _check_workable(actor, item)
    return item


def workable_task_with_case(session: Session, actor: Actor, item_id: str) -> tuple[WorkItem, Case]:
    """As workable_task, with its case and workflow state read in the same round trip."""
    row = session.execute(_ITEM_WITH_CASE, {"item_id": item_id}).first()
    if row is None or not _sees_task(actor, row[0]):
        raise NotFound(f"task {item_id} does not exist")
    item, case = row
    _check_workable(actor, item)
    return item, case


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or not may_see_case(session, actor, case):
        raise NotFound(f"case {case_id} does not exist")
    return case


def running_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = visible_case(session, actor, case_id)
    if case.status != CaseStatus.RUNNING:
        raise Conflict(f"case {case.business_key} is {case.status}, not running")
    return case
