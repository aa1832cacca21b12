"""Date and time helpers for expressions.

Task data holds dates as ISO strings (it is JSON); these helpers accept either
strings or date objects so that analysts can compare and shift dates without
converting by hand.  Calendar days only: working days belong to the calendar
module, which registers its own helpers.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DateLike = dt.date | str
DateTimeLike = dt.datetime | dt.date | str


def _shanghai() -> dt.tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:
        # Minimal containers ship without tzdata; China has had no DST since
        # 1991, so a fixed offset gives the same answers for current dates.
        return dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


SHANGHAI: dt.tzinfo = _shanghai()


def today() -> dt.date:
    """Today's date in Asia/Shanghai."""
    return now().date()


def now() -> dt.datetime:
    """The current time as an Asia/Shanghai aware datetime."""
    return dt.datetime.now(SHANGHAI)


def make_date(year: int, month: int, day: int) -> dt.date:
    """A calendar date, e.g. date(2024, 10, 1)."""
    return dt.date(year, month, day)


def make_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An Asia/Shanghai aware datetime, e.g. datetime(2024, 10, 1, 9, 30)."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def make_timedelta(
    days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0, weeks: float = 0
) -> dt.timedelta:
    """A duration to add to or subtract from dates, e.g. timedelta(hours=4)."""
    return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, weeks=weeks)


def parse_datetime(value: DateTimeLike) -> dt.datetime:
    """An ISO date/datetime string (or date) as an aware datetime; naive values are read as Asia/Shanghai time."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"parse_datetime: {value!r} is not an ISO date or datetime") from None
    else:
        raise TypeError(f"parse_datetime needs an ISO string or a date, got {type(value).__name__}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI)


def parse_date(value: DateTimeLike) -> dt.date:
    """An ISO date string ('2024-10-01'), datetime string or datetime as a date in Asia/Shanghai."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _is_plain_date(value):
        return dt.date.fromisoformat(value.strip())
    return parse_datetime(value).date()


def days_between(start: DateTimeLike, end: DateTimeLike) -> int:
    """Calendar days from start to end (negative when end is earlier); dates or ISO strings."""
    return (parse_date(end) - parse_date(start)).days


def add_days(value: DateTimeLike, days: int) -> DateTimeLike:
    """value plus n calendar days (n may be negative); an ISO string in gives an ISO string out."""
    if isinstance(value, str):
        if _is_plain_date(value):
            return (parse_date(value) + dt.timedelta(days=days)).isoformat()
        return (parse_datetime(value) + dt.timedelta(days=days)).isoformat()
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=days)
    raise TypeError(f"add_days needs an ISO string or a date, got {type(value).__name__}")


def _is_plain_date(text: str) -> bool:
    # "2024-10-01" (10 chars, no time part) versus "2024-10-01T09:00".
    stripped = text.strip()
    return len(stripped) == 10 and "T" not in stripped and " " not in stripped
