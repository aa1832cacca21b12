"""Pure deadline arithmetic for one clock: start, amount, unit, counting, pauses.

A paused interval does not count: the clock's running stretches are walked in order, each using
up working time, and the remainder is added from the last resume. Statutory counting (行政许可法
Art. 82 with 民法典 Art. 201/203) starts at the close of the start day, so that day is never counted
and n working days end at the close of the n-th working day after it — the same instant as
``BusinessCalendar.deadline_end_of_working_day`` — while pauses and extensions still compose.

A statutory limit is counted in whole days, so its pauses are too: each pause adds every working day
it touched (行政许可法 Art. 45, time "not counted", read day by day as processes/licensing.bpmn counts
it), and the deadline stays at a closing time — the same instant as the process's own
``statutory_deadline(accepted_at, 20 + paused_days)`` that its boundary timers use.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from engine.calendar import BusinessCalendar
from engine.calendar.business import WORKING_UNITS

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class ClockTimes:
    due_at: datetime | None  # None while paused (nothing runs, so nothing is due)
    warn_at: datetime | None
    provisional: bool
    missing_years: frozenset[int]


def effective_start(calendar: BusinessCalendar, started_at: datetime, counting: str) -> datetime:
    if counting != "statutory":
        return calendar.local(started_at)
    local = calendar.local(started_at)
    return datetime.combine(local.date(), calendar.working_hours.closing, tzinfo=calendar.tz)


def _end(calendar: BusinessCalendar, start: datetime, amount: float, unit: str,
         pauses: Sequence[Pause]) -> datetime | None:
    remaining = amount
    cursor = start
    for paused_at, resumed_at in pauses:
        if resumed_at is not None and resumed_at <= cursor:
            continue
        paused_at = max(paused_at, cursor)
        if calendar.add_working(cursor, remaining, unit).at <= paused_at:  # type: ignore[arg-type]
            break  # the limit ran out before this pause began
        remaining -= calendar.working_between(cursor, paused_at, unit)  # type: ignore[arg-type]
        if resumed_at is None:
            return None
        cursor = resumed_at
    return calendar.add_working(cursor, max(remaining, 0.0), unit).at  # type: ignore[arg-type]


def _paused_working_days(calendar: BusinessCalendar, started_at: datetime, pauses: Sequence[Pause]) -> int | None:
    """Working days touched by the pauses after the clock started, each pause counted on its own
    (None while one is still open: nothing is due then)."""
    days = 0
    for paused_at, resumed_at in pauses:
        if resumed_at is None:
            return None
        if resumed_at <= started_at:
            continue
        days += calendar.working_days_from_to(calendar.local(max(paused_at, started_at)).date(),
                                              calendar.local(resumed_at).date())
    return days


def compute(calendar: BusinessCalendar, *, started_at: datetime, amount: float, unit: str, counting: str,
            pauses: Sequence[Pause] = (), warning_ratio: float | None = None) -> ClockTimes:
    """Due and warning instants of a clock; provisional when they depend on a year not (officially) loaded."""
    start = effective_start(calendar, started_at, counting)
    ordered = sorted(pauses, key=lambda p: p[0])
    if counting == "statutory" and ordered:
        extra = _paused_working_days(calendar, started_at, ordered)
        due = None if extra is None else calendar.add_working(start, amount + extra, unit).at  # type: ignore[arg-type]
        warn = (calendar.add_working(start, amount * warning_ratio + extra, unit).at  # type: ignore[arg-type]
                if warning_ratio and extra is not None else None)
    else:
        due = _end(calendar, start, amount, unit, ordered)
        warn = _end(calendar, start, amount * warning_ratio, unit, ordered) if warning_ratio else None
    missing: frozenset[int] = frozenset()
    if unit in WORKING_UNITS:
        last = due or (ordered[-1][0] if ordered else start)
        confirmed = calendar.day_table.confirmed_years
        first_local, last_local = calendar.local(start), calendar.local(last)
        missing = frozenset(y for y in range(first_local.year, last_local.year + 1) if y not in confirmed)
    return ClockTimes(due, warn, bool(missing), missing)
