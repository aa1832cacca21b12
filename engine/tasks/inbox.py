"""Inbox rows: work items with the case they belong to, from the projections only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.display_status import CaseDisplay, display_statuses
from engine.org.access import Actor, workable_among
from engine.org.service import display_names
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus
from engine.tasks.queries import TaskFilter, list_tasks


@dataclass(frozen=True)
class InboxRow:
    item: WorkItem
    case: Case
    can_work: bool
    assignee_name: str | None = None  # the assignee's display name
    case_display: CaseDisplay | None = None  # what the case waits for (engine.cases.display_status)


def inbox(session: Session, actor: Actor, flt: TaskFilter, limit: int = 50,
          offset: int = 0) -> tuple[list[InboxRow], int]:
    items, total = list_tasks(session, actor, flt, limit=limit, offset=offset)
    case_ids = {item.case_id for item in items}
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))} if case_ids else {}
    names = display_names(session, (item.assignee for item in items))
    workable = workable_among(session, actor, (item.id for item in items if item.status == WorkItemStatus.OPEN))
    displays = display_statuses(session, cases.values())
    return [InboxRow(item, cases[item.case_id], item.id in workable,
                     names.get(item.assignee or ""), displays[item.case_id])
            for item in items], total
