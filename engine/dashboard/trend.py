"""Daily figures for the trend charts: cases opened, work items closed on time and late, per local day.

Buckets by the district's local date in Python over two narrow columns of rows already bounded by the
period through indexes (ix_work_items_completed_at, cases.opened_at), so the same code runs on SQLite
and PostgreSQL without date functions that differ between them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import SlaState, WorkItemStatus

MAX_DAYS = 366


@dataclass(frozen=True)
class DayFigures:
    day: date
    opened: int
    closed: int
    closed_on_time: int
    closed_late: int

    @property
    def on_time_rate(self) -> float | None:
        with_limit = self.closed_on_time + self.closed_late
        return self.closed_on_time / with_limit if with_limit else None


def _local_day(value: datetime, tz: tzinfo) -> date:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored as UTC
    return value.astimezone(tz).date()


def daily_trend(session: Session, since: datetime, until: datetime, tz: tzinfo,
                departments: list[str] | None = None) -> list[DayFigures]:
    """One row per local day in [since, until), zeros included, so a chart's x axis has no gaps."""
    first, last = _local_day(since, tz), _local_day(until - timedelta(microseconds=1), tz)
    if (last - first).days > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS)
    counts: dict[date, list[int]] = {}
    closed_q = select(WorkItem.completed_at, WorkItem.sla_state).where(
        WorkItem.completed_at >= since, WorkItem.completed_at < until, WorkItem.status == WorkItemStatus.COMPLETED)
    opened_q = select(Case.opened_at).where(Case.opened_at >= since, Case.opened_at < until)
    if departments is not None:
        closed_q = closed_q.where(WorkItem.department.in_(departments))
        opened_q = opened_q.where(Case.department.in_(departments))
    for (opened_at,) in session.execute(opened_q):
        counts.setdefault(_local_day(opened_at, tz), [0, 0, 0, 0])[0] += 1
    for completed_at, state in session.execute(closed_q):
        row = counts.setdefault(_local_day(completed_at, tz), [0, 0, 0, 0])
        row[1] += 1
        row[2] += state == SlaState.MET
        row[3] += state == SlaState.MET_LATE
    days = []
    day = first
    while day <= last:
        opened, closed, on_time, late = counts.get(day, [0, 0, 0, 0])
        days.append(DayFigures(day, opened, closed, on_time, late))
        day += timedelta(days=1)
    return days
