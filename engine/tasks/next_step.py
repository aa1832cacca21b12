"""Where the work continues after someone completes a step: the task to open for them next, or who holds
the case now, so the page can say so instead of leaving them to find the next task again."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.org.access import Actor, may_work_task
from engine.org.service import display_names
from engine.store.models.cases import Case
from engine.store.models.org import Role
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus
from engine.tasks.view import transfer_targets


@dataclass(frozen=True)
class Holder:
    """An open step of the case and who has it: a person, or the group it is offered to."""

    task_name: str
    assignee: str | None  # display name
    department: str | None  # unit codes; the page words them
    grid_cell: str | None
    role: tuple[str, str] | None  # (zh, en) name of the lane's role


@dataclass(frozen=True)
class NextStep:
    """`item`: the task to open for the person (claimed for them first when `claim`); otherwise `holders`."""

    item: WorkItem | None
    claim: bool
    holders: list[Holder]


def _same_lane(a: WorkItem, b: WorkItem) -> bool:
    return (a.role, a.department, a.grid_cell) == (b.role, b.department, b.grid_cell)


def next_step(session: Session, actor: Actor, done: WorkItem, case: Case, opened: Sequence[WorkItem],
              lang: str = "zh") -> NextStep:
    """The step the person who completed `done` continues with, among those the completion `opened`.

    Theirs already: open it. Offered to their group: open it, and claim it for them when they worked the
    step before in the same lane (the dispatcher who registered dispatches next) or nobody else could
    take it. Otherwise nothing to open, and who holds each open step of the case."""
    waiting = [item for item in opened if item.status == WorkItemStatus.OPEN]
    for item in waiting:
        if item.assignee == actor.username:
            return NextStep(item, False, [])
    for item in waiting:
        if item.assignee is None and may_work_task(session, actor, item.id):
            alone = not transfer_targets(session, item, actor.username)
            return NextStep(item, _same_lane(item, done) or alone, [])
    return NextStep(None, False, holders(session, case, lang))


def holders(session: Session, case: Case, lang: str = "zh") -> list[Holder]:
    items = list(session.scalars(select(WorkItem).where(WorkItem.case_id == case.id,
                                                        WorkItem.status == WorkItemStatus.OPEN)
                                 .order_by(WorkItem.created_at, WorkItem.id)))
    names = display_names(session, (item.assignee for item in items), lang)
    roles = {role.code: (role.name_zh, role.name_en or role.name_zh)
             for role in session.scalars(select(Role).where(Role.code.in_({i.role for i in items if i.role})))}
    return [Holder(item.task_name, names.get(item.assignee, item.assignee) if item.assignee else None,
                   item.department, item.grid_cell, roles.get(item.role or "")) for item in items]
