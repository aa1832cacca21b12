"""Daily figures for the trend charts: cases received, and cases closed on time and late, per local day.

The trend counts cases, not steps, as the headline does (engine.dashboard.case_kpis): a case of seven
steps closed on a day is one closure that day, on time or late by the case's own rule. Buckets by the
district's local date in Python over narrow columns of rows already bounded by the period
(cases.opened_at, cases.closed_at), so the same code runs on SQLite and PostgreSQL without date
functions that differ between them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.dashboard.case_kpis import closed_cases, on_time_verdicts
from engine.store.models.cases import Case

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
    opened_q = select(Case.opened_at).where(Case.opened_at >= since, Case.opened_at < until)
    if departments is not None:
        opened_q = opened_q.where(Case.department.in_(departments))
    for (opened_at,) in session.execute(opened_q):
        counts.setdefault(_local_day(opened_at, tz), [0, 0, 0, 0])[0] += 1
    # Closures are cases (completed, not cancelled), each once, on time or late as the headline judges it.
    closed = closed_cases(session, since, until, departments)
    verdicts = on_time_verdicts(session, closed)
    for case_id, closed_at, _due_at in closed:
        row = counts.setdefault(_local_day(closed_at, tz), [0, 0, 0, 0])
        row[1] += 1
        row[2] += verdicts[case_id] is True
        row[3] += verdicts[case_id] is False
    days = []
    day = first
    while day <= last:
        opened, closed, on_time, late = counts.get(day, [0, 0, 0, 0])
        days.append(DayFigures(day, opened, closed, on_time, late))
        day += timedelta(days=1)
    return days
