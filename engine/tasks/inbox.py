"""Inbox rows: work items with the case they belong to, from the projections only."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.display_status import CaseDisplay, display_statuses
from engine.org.access import Actor, workable_among
from engine.org.service import display_names
from engine.sla.case_marks import PauseMark, open_pauses, provisional_years
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
    pause: PauseMark | None = None  # the case's limits stand still (engine.sla.case_marks)
    provisional_years: tuple[int, ...] = ()  # the item's deadline is provisional over these years


def inbox(session: Session, actor: Actor, flt: TaskFilter, limit: int = 50,
          offset: int = 0, lang: str = "zh") -> tuple[list[InboxRow], int]:
    items, total = list_tasks(session, actor, flt, limit=limit, offset=offset)
    case_ids = {item.case_id for item in items}
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(case_ids)))} if case_ids else {}
    names = display_names(session, (item.assignee for item in items), lang)
    workable = workable_among(session, actor, (item.id for item in items if item.status == WorkItemStatus.OPEN))
    displays = display_statuses(session, cases.values())
    pauses = open_pauses(session, case_ids)
    provisional = provisional_years(session, (item.id for item in items if item.status == WorkItemStatus.OPEN))
    return [InboxRow(item, cases[item.case_id], item.id in workable,
                     names.get(item.assignee or ""), displays[item.case_id], pauses.get(item.case_id),
                     provisional.get(item.id, ()))
            for item in items], total
