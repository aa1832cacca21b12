"""Daily figures for the trend charts: cases received, and cases closed on time and late, per local day.

The trend counts cases, not steps, as the headline does (engine.dashboard.case_kpis): a case of seven
steps closed on a day is one closure that day, on time or late by the case's own rule. The database
counts per local day (`GROUP BY` the district's date; PostgreSQL converts with the zone's name, SQLite
shifts by the zone's offset), over rows bounded by the period through indexes (ix_cases_opened_at, the
cases' closed_at): a year's trend sends ~366 rows, not one per case. Where the zone's offset changes
within the period on SQLite (a zone with daylight saving) or the zone has no name PostgreSQL knows, the
rows are bucketed in Python instead, by the same rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, case, func, literal, not_, select
from sqlalchemy.orm import Session

from engine.dashboard.case_kpis import closed_cases, on_time_verdicts, verdict_columns
from engine.store.models.cases import Case
from engine.store.statuses import CaseStatus

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


def _sql_day(session: Session, column: Any, tz: tzinfo, since: datetime, until: datetime) -> Any | None:
    """An SQL expression for the local date of `column` (as text or date), or None if only Python can."""
    dialect = session.get_bind().dialect.name
    name = getattr(tz, "key", None)
    if dialect == "postgresql" and name:
        return func.date(func.timezone(literal(name), column))
    if dialect == "sqlite":
        offsets = {since.astimezone(tz).utcoffset(), until.astimezone(tz).utcoffset()}
        if len(offsets) == 1 and None not in offsets and _fixed(tz, since, until):
            seconds = int(next(iter(offsets)).total_seconds())  # type: ignore[union-attr]
            return func.date(column, f"{seconds:+d} seconds")
    return None


def _fixed(tz: tzinfo, since: datetime, until: datetime) -> bool:
    """Whether the zone's offset is the same all through [since, until) (checked day by day)."""
    first = since.astimezone(tz).utcoffset()
    moment = since
    while moment < until:
        if moment.astimezone(tz).utcoffset() != first:
            return False
        moment += timedelta(days=1)
    return until.astimezone(tz).utcoffset() == first


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _grouped(session: Session, since: datetime, until: datetime, tz: tzinfo,
             departments: list[str] | None) -> dict[date, list[int]] | None:
    opened_day = _sql_day(session, Case.opened_at, tz, since, until)
    closed_day = _sql_day(session, Case.closed_at, tz, since, until)
    if opened_day is None or closed_day is None:
        return None
    counts: dict[date, list[int]] = {}
    with_limit, on_time = verdict_columns()
    late = and_(with_limit, not_(on_time))
    opened_q = select(opened_day, func.count()).where(Case.opened_at >= since, Case.opened_at < until)
    closed_q = select(closed_day, func.count(), func.sum(case((on_time, 1), else_=0)),
                      func.sum(case((late, 1), else_=0))).where(
        Case.closed_at >= since, Case.closed_at < until, Case.status == CaseStatus.COMPLETED)
    if departments is not None:
        opened_q = opened_q.where(Case.department.in_(departments))
        closed_q = closed_q.where(Case.department.in_(departments))
    for day, opened in session.execute(opened_q.group_by(opened_day)):
        counts.setdefault(_as_date(day), [0, 0, 0, 0])[0] += opened
    for day, closed, in_time, late_count in session.execute(closed_q.group_by(closed_day)):
        row = counts.setdefault(_as_date(day), [0, 0, 0, 0])
        row[1] += closed
        row[2] += in_time or 0
        row[3] += late_count or 0
    return counts


def _bucketed(session: Session, since: datetime, until: datetime, tz: tzinfo,
              departments: list[str] | None) -> dict[date, list[int]]:
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
    return counts


def daily_trend(session: Session, since: datetime, until: datetime, tz: tzinfo,
                departments: list[str] | None = None) -> list[DayFigures]:
    """One row per local day in [since, until), zeros included, so a chart's x axis has no gaps."""
    first, last = _local_day(since, tz), _local_day(until - timedelta(microseconds=1), tz)
    if (last - first).days > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS)
    counts = _grouped(session, since, until, tz, departments)
    if counts is None:
        counts = _bucketed(session, since, until, tz, departments)
    days = []
    day = first
    while day <= last:
        opened, closed, on_time, late = counts.get(day, [0, 0, 0, 0])
        days.append(DayFigures(day, opened, closed, on_time, late))
        day += timedelta(days=1)
    return days
