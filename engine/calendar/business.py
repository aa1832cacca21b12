"""Business-time arithmetic over a day table and working hours.

Definitions (docs/calendar.md has worked examples):

* Working time W is the union, over working days D, of D's working-hour periods [start, end)
  in local time. A date outside the day table's confirmed years is judged by the weekend-only
  rule (Mon-Fri working) and makes the result provisional.
* ``working_between(a, b, 'working_hours')`` is the length of W ∩ [a, b) in hours;
  ``'working_days'`` is that length divided by the length of one working day (7 h for
  09:00-12:00 + 14:00-18:00). One working day is therefore one working day of working time,
  never 24 working hours. b < a gives the negative of working_between(b, a).
* ``add_working(s, n, unit)`` for n > 0 is the earliest instant t with
  working_between(s, t, unit) == n. Consequences: from inside working time, n working days
  land at the same time of day on the n-th next working day; from outside working time the
  count starts at the next opening; a result that would sit at an opening is written as the
  preceding closing (same business instant, nothing to work in between), e.g. 1 working day from
  Monday 09:00 is Monday 18:00 and 1 working hour from 11:00 is 12:00, not 14:00. n == 0
  returns s unchanged.
* Wall-clock units ('minutes', 'hours', 'days') are elapsed time on the UTC timeline.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from engine.calendar.days import DayTable, plain_day
from engine.calendar.errors import CalendarInputError
from engine.calendar.hours import WorkingHours
from engine.calendar.zones import DEFAULT_TZ, add_elapsed, to_zone, zone

Unit = Literal["working_hours", "working_days", "minutes", "hours", "days"]
UNITS: tuple[str, ...] = get_args(Unit)
WORKING_UNITS = frozenset({"working_hours", "working_days"})
_WALL = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
Cutoff = Literal["close", "midnight"]
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """When a limit runs out. ``provisional``: the computation crossed a date whose year is not
    loaded (or only as a draft); such dates were taken as Mon-Fri working days, and the deadline
    must be recomputed once ``missing_years`` are loaded."""

    at: datetime
    provisional: bool = False
    missing_years: frozenset[int] = field(default=frozenset())


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise CalendarInputError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")


def _check_amount(n: float) -> None:
    if isinstance(n, bool) or not isinstance(n, int | float):
        raise CalendarInputError(f"amount must be a number, got {type(n).__name__}")
    if not math.isfinite(n) or n < 0:
        raise CalendarInputError(f"amount must be a finite number >= 0, got {n!r}")


class BusinessCalendar:
    """Working-time arithmetic for one organisation's working hours over one day table."""

    def __init__(self, day_table: DayTable, working_hours: WorkingHours, tz: str | ZoneInfo = DEFAULT_TZ):
        self._table = day_table
        self._hours = working_hours
        self._tz = zone(tz)

    @property
    def day_table(self) -> DayTable:
        return self._table

    @property
    def working_hours(self) -> WorkingHours:
        return self._hours

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def with_day_table(self, day_table: DayTable) -> BusinessCalendar:
        """The same hours and zone over another table (e.g. after a new year was loaded)."""
        return BusinessCalendar(day_table, self._hours, self._tz)

    def __repr__(self) -> str:
        return f"BusinessCalendar({self._table!r}, {self._hours.describe()}, tz={self._tz.key!r})"

    # -- days ------------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        """Per the day table; outside its years by the weekend-only rule."""
        return self._table[d].is_working if d in self._table else plain_day(d).is_working

    def working_days_from_to(self, first: date, last: date) -> int:
        """Working days from `first` to `last`, both included (0 when `last` is before `first`)."""
        return sum(self.is_working_day(first + timedelta(days=n)) for n in range((last - first).days + 1))

    def _unconfirmed_years(self, first: date, last: date) -> frozenset[int]:
        return frozenset(y for y in range(first.year, last.year + 1) if y not in self._table.confirmed_years)

    def is_provisional(self, a: datetime, b: datetime) -> bool:
        """Whether business time between a and b depends on a year not (officially) loaded."""
        la, lb = sorted((self.local(a, "a"), self.local(b, "b")))
        return bool(self._unconfirmed_years(la.date(), lb.date()))

    def _deadline(self, start: datetime, at: datetime, last: date | None = None) -> Deadline:
        missing = self._unconfirmed_years(start.date(), last or at.date())
        return Deadline(at, bool(missing), missing)

    # -- instants --------------------------------------------------------------------------
    def local(self, value: datetime, name: str = "datetime") -> datetime:
        """The instant in the calendar's zone; naive datetimes are rejected."""
        return to_zone(value, self._tz, name)

    def is_working_time(self, t: datetime) -> bool:
        lt = self.local(t)
        return self.is_working_day(lt.date()) and self._hours.contains(lt.timetz().replace(tzinfo=None))

    def _intervals_from(self, t: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals, clipped to start no earlier than t, in order, forever."""
        d = t.date()
        while True:
            if self.is_working_day(d):
                for s, e in self._hours.intervals_on(d, self._tz):
                    if e > t:
                        yield max(s, t), e
            d += _ONE_DAY

    def next_working_time(self, t: datetime) -> datetime:
        """t itself if it is working time, else the next opening."""
        return next(self._intervals_from(self.local(t)))[0]

    # -- arithmetic ------------------------------------------------------------------------
    def _working_amount(self, n: float, unit: str) -> timedelta:
        if unit == "working_days":
            return self._hours.day_length * n
        return timedelta(hours=n)

    def add_working(self, start: datetime, n: float, unit: Unit) -> Deadline:
        """The earliest instant with n units of (working or wall-clock) time after start."""
        _check_unit(unit)
        _check_amount(n)
        s = self.local(start, "start")
        if unit in _WALL:
            return Deadline(add_elapsed(s, _WALL[unit] * n, self._tz))
        remaining = self._working_amount(n, unit)
        if remaining <= timedelta(0):
            return self._deadline(s, s)
        for a, b in self._intervals_from(s):
            if remaining <= b - a:
                return self._deadline(s, a + remaining)
            remaining -= b - a
        raise AssertionError("unreachable: working intervals never run out")

    def _working_time(self, a: datetime, b: datetime) -> timedelta:
        total = timedelta(0)
        for s, e in self._intervals_from(a):
            if s >= b:
                break
            total += min(e, b) - s
        return total

    def working_between(self, a: datetime, b: datetime, unit: Unit) -> float:
        """Time from a to b in ``unit``; negative when b is before a (see module doc)."""
        _check_unit(unit)
        la, lb = self.local(a, "a"), self.local(b, "b")
        if lb < la:
            return -self.working_between(lb, la, unit)
        if unit in _WALL:
            return (lb - la) / _WALL[unit]
        worked = self._working_time(la, lb)
        per = self._hours.day_length if unit == "working_days" else timedelta(hours=1)
        return worked / per

    # -- statutory counting ----------------------------------------------------------------
    def nth_working_day_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after date d (d itself is never counted)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise CalendarInputError(f"n must be an integer >= 1, got {n!r}")
        count = 0
        while count < n:
            d += _ONE_DAY
            if self.is_working_day(d):
                count += 1
        return d

    def deadline_end_of_working_day(self, start: datetime, n: int, *, cutoff: Cutoff = "close") -> Deadline:
        """Statutory counting (行政许可法 Art. 82, 民法典 Art. 201/203): the day of ``start`` is not
        counted; the limit ends at the end of the n-th working day after it.

        ``cutoff='close'`` (default) ends it at that day's closing time (民法典 Art. 203: where
        there are business hours, the close of business is the cutoff); ``'midnight'`` at 24:00,
        returned as 00:00 of the next calendar day.
        """
        if cutoff not in get_args(Cutoff):
            raise CalendarInputError(f"cutoff must be 'close' or 'midnight', got {cutoff!r}")
        s = self.local(start, "start")
        last = self.nth_working_day_after(s.date(), n)
        if cutoff == "close":
            at = datetime.combine(last, self._hours.closing, tzinfo=self._tz)
        else:
            at = datetime.combine(last + _ONE_DAY, time(0), tzinfo=self._tz)
        # Provisional by the dates counted, not by ``at`` (a midnight cutoff may be next year).
        return self._deadline(s, at, last)
