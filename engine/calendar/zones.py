"""Time-zone handling: every instant the calendar sees is aware and is read in one zone.

zoneinfo (standard library, IANA data) is used rather than a fixed ``timedelta(hours=8)`` offset
so that the zone is named explicitly and historical offsets stay correct: Asia/Shanghai observed
daylight saving time from 1986 to 1991 and has been a constant UTC+08:00 since. The day tables
start in 2004, so calendar arithmetic never meets a DST transition, but the code does not rely on
that: wall-clock units are computed on absolute (UTC) time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.calendar.errors import CalendarInputError, NaiveDatetimeError

DEFAULT_TZ = "Asia/Shanghai"


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Reject naive datetimes (and dates) with a clear message; return the value unchanged otherwise."""
    if not isinstance(value, datetime):
        raise CalendarInputError(f"{name} must be a timezone-aware datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} {value.isoformat()} is naive; pass a timezone-aware datetime "
            f"(e.g. datetime(..., tzinfo=ZoneInfo('{DEFAULT_TZ}')))"
        )
    return value


def to_zone(value: datetime, tz: ZoneInfo, name: str = "datetime") -> datetime:
    """The same instant, expressed in ``tz`` (so ``.date()`` and ``.time()`` are local)."""
    return require_aware(value, name).astimezone(tz)


def add_elapsed(value: datetime, delta: timedelta, tz: ZoneInfo) -> datetime:
    """Add elapsed time on the UTC timeline, so a DST zone could not make an hour 0 or 2 hours long."""
    return (value.astimezone(UTC) + delta).astimezone(tz)
