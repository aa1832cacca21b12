"""The commands' single refusal policy (see engine.commands): one place answers "may this actor act on
this task / case", with one status code per kind of refusal. Who may see and work what is the access
specification's (engine.org.access), the same conditions the lists filter with."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, undefer

from engine.errors import Conflict, Forbidden, NotFound
from engine.org.access import (
    Actor,
    access_flag,
    check_workable,
    could_work_unclaimed,
    task_visible,
    task_workable,
    visible_task,
)

# The case refusal the commands share (404 for a case one may not see), under the policy's roof.
from engine.org.access import visible_case as visible_case
from engine.org.service import display_names
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

# Completing reads the item and its case with the state in one round trip; the statement is built once
# because building it costs more than running it.
_ITEM_WITH_CASE = (
    select(WorkItem, Case).join(Case, Case.id == WorkItem.case_id)
    .where(WorkItem.id == bindparam("item_id")).options(undefer(Case.workflow_state))
)


def workable_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """The open task, if the actor may work it: NotFound, Conflict (no longer open) or Forbidden otherwise."""
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFound(f"task {item_id} does not exist", key="task.not_found")
    check_workable(session, actor, item)  # NotFound too when the actor may not see it
    return item


def assignable_task(session: Session, actor: Actor, item_id: str) -> WorkItem:
    """workable_task for claim, unclaim and transfer: a task a colleague holds is a Conflict, not Forbidden.

    Someone who could have claimed the task was simply later than the colleague who holds it now (or a
    claim or transfer got in first): a conflict of timing, not of rights, and the same answer whether
    the two requests overlapped or not. The access check reads the committed row, which may be newer
    than the item this session loaded: the holder is read again before answering."""
    item = visible_task(session, actor, item_id)
    _refuse_if_a_colleague_holds(session, actor, item)
    try:
        check_workable(session, actor, item)
    except Forbidden:
        session.refresh(item)
        _refuse_if_a_colleague_holds(session, actor, item)
        raise
    return item


def _refuse_if_a_colleague_holds(session: Session, actor: Actor, item: WorkItem) -> None:
    if item.status == WorkItemStatus.OPEN and item.assignee and item.assignee != actor.username \
            and not actor.is_system and could_work_unclaimed(session, actor, item.id):
        holder = display_names(session, [item.assignee]).get(item.assignee, item.assignee)
        raise Conflict(f"task '{item.task_name}' is already claimed by {holder}; it is no longer free",
                       key="task.claimed_by_other", params={"task": item.task_name, "holder_user": item.assignee})


@lru_cache(maxsize=512)
def _item_with_case_and_access(actor: Actor) -> Select[Any]:
    """_ITEM_WITH_CASE with whether the actor may see and work the item, as check_workable asks it."""
    return _ITEM_WITH_CASE.add_columns(access_flag(task_visible(actor)), access_flag(task_workable(actor)))


def workable_task_with_case(session: Session, actor: Actor, item_id: str) -> tuple[WorkItem, Case]:
    """As workable_task, with its case, workflow state and the access check read in the same round trip
    (the access specification's own conditions, engine.org.access)."""
    if actor.sees_all and actor.is_system:
        row = session.execute(_ITEM_WITH_CASE, {"item_id": item_id}).first()
        access: tuple[bool, bool] | None = (True, True)
    else:
        row = session.execute(_item_with_case_and_access(actor), {"item_id": item_id}).first()
        access = None if row is None else (bool(row[2]), bool(row[3]))
    if row is None:
        raise NotFound(f"task {item_id} does not exist", key="task.not_found")
    item, case = row[0], row[1]
    check_workable(session, actor, item, access)  # NotFound too when the actor may not see it
    return item, case
