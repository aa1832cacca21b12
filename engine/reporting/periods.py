"""Bulletin periods: weekly (ISO weeks, Monday to Sunday), monthly and quarterly, in the district's local time.

A period is written as its label: ``2026-W45``, ``2026-11``, ``2026-Q4``. Its bounds are local midnights,
converted to UTC for the queries ([since, until)). A bulletin is issued when its period has closed and
``working_days_after`` working days have passed (the working calendar of engine.calendar: weekends,
statutory holidays and make-up workdays), at the opening of that working day, so late data of the last
days is in and a period ending before the Spring Festival is not reported during it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from engine.calendar.business import BusinessCalendar
from engine.errors import InvalidInput

PERIODS = ("weekly", "monthly", "quarterly")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_EXAMPLES = {"weekly": "2026-W45", "monthly": "2026-11", "quarterly": "2026-Q4"}
# A bulletin reports the platform's own records: a period of 1900 is a typo that would still be published
# and sent to every recipient, and one of year 1 or 9999 overflows the calendar when its bounds are taken.
FIRST_YEAR, LAST_YEAR = 2000, 9000


@dataclass(frozen=True, order=True)
class Period:
    """[first, after) as local dates: ``after`` is the day following the last day."""

    first: date
    after: date
    kind: str

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.kind == "weekly":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarterly":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.year}-{self.first.month:02d}"

    def words(self, lang: str = "zh") -> str:
        """2026年11月 / November 2026; 2026年第45周（11月2日—11月8日）; 2026年第四季度."""
        if self.kind == "weekly":
            year, week, _ = self.first.isocalendar()
            if lang == "zh":
                return (f"{year}年第{week}周（{self.first.month}月{self.first.day}日—"
                        f"{self.last.month}月{self.last.day}日）")
            return f"week {week} of {year} ({self.first:%d %b} – {self.last:%d %b})"
        if self.kind == "quarterly":
            quarter = (self.first.month - 1) // 3 + 1
            if lang == "zh":
                return f"{self.first.year}年第{'一二三四'[quarter - 1]}季度"
            return f"Q{quarter} {self.first.year}"
        return f"{self.first.year}年{self.first.month}月" if lang == "zh" else f"{self.first:%B %Y}"

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[since, until) in UTC: the local midnights that open and close the period."""
        return (datetime.combine(self.first, time(), tzinfo=tz).astimezone(UTC),
                datetime.combine(self.after, time(), tzinfo=tz).astimezone(UTC))

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.after)


def period_containing(kind: str, day: date) -> Period:
    if kind == "weekly":
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=7), kind)
    if kind == "monthly":
        first = day.replace(day=1)
    elif kind == "quarterly":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        raise InvalidInput(f"unknown period {kind!r}; expected one of {', '.join(PERIODS)}",
                           key="bulletin.bad_period_kind", params={"kind": kind})
    months = 1 if kind == "monthly" else 3
    month = first.month - 1 + months
    return Period(first, date(first.year + month // 12, month % 12 + 1, 1), kind)


def parse_period(kind: str, text: str) -> Period:
    """The period a label names, checked against the bulletin's kind ("2026-11" for a monthly one)."""
    text = (text or "").strip()
    year = re.match(r"^(\d{4})-", text)
    if year and not FIRST_YEAR <= int(year[1]) <= LAST_YEAR:
        raise InvalidInput(f"{text!r} is outside the years bulletins cover ({FIRST_YEAR}-{LAST_YEAR})",
                           key="bulletin.period_out_of_range",
                           params={"period": text[:40], "first": FIRST_YEAR, "last": LAST_YEAR})
    try:
        if kind == "monthly" and (m := _MONTH.match(text)):
            return period_containing(kind, date(int(m[1]), int(m[2]), 1))
        if kind == "quarterly" and (m := _QUARTER.match(text)):
            return period_containing(kind, date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
        if kind == "weekly" and (m := _WEEK.match(text)):
            return period_containing(kind, date.fromisocalendar(int(m[1]), int(m[2]), 1))
    except ValueError:
        pass  # month 13, week 54: refused below like any other wrong label
    raise InvalidInput(f"{text!r} is not a {kind} period; write it like {_EXAMPLES.get(kind, '2026-11')}",
                       key="bulletin.bad_period", params={"period": text[:40], "example": _EXAMPLES.get(kind, "")})


def issue_at(period: Period, calendar: BusinessCalendar, working_days_after: int = 1) -> datetime:
    """When the bulletin of `period` is due: the opening of the `working_days_after`-th working day after
    the period's last day (0: the local midnight that closes the period)."""
    if working_days_after <= 0:
        return datetime.combine(period.after, time(), tzinfo=calendar.tz)
    day = calendar.nth_working_day_after(period.last, working_days_after)
    return datetime.combine(day, calendar.working_hours.opening, tzinfo=calendar.tz)


def due_period(kind: str, now: datetime, calendar: BusinessCalendar, working_days_after: int = 1) -> Period | None:
    """The latest closed period whose bulletin is due by `now`: the one before the current period, once its
    issue time has passed (before that, none — the one before it was due, and issued, earlier)."""
    local_today = now.astimezone(calendar.tz).date()
    candidate = period_containing(kind, local_today).previous()
    return candidate if issue_at(candidate, calendar, working_days_after) <= now else None
