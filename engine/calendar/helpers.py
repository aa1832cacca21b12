"""A process-wide default calendar and the plain functions the expression sandbox may call.

The sandbox (engine.sandbox) registers these by name; they take and return plain values
(datetimes, numbers) because expressions cannot handle Deadline objects. Code that needs the
``provisional`` flag (the SLA layer) calls BusinessCalendar directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from engine.calendar.business import BusinessCalendar
from engine.calendar.chinese import day_table_from_chinese_calendar, supported_years
from engine.calendar.hours import WorkingHours

_lock = threading.Lock()
_default: BusinessCalendar | None = None


def set_default_calendar(calendar: BusinessCalendar | None) -> None:
    """Install the calendar the helpers use (the store calls this after loading the day table);
    None drops it so the next default_calendar() call builds the fallback again."""
    global _default
    with _lock:
        _default = calendar


def default_calendar() -> BusinessCalendar:
    """The installed calendar, or a fallback: every year chinese_calendar knows, standard hours,
    Asia/Shanghai. The fallback is built once, lazily, so importing this module stays cheap."""
    global _default
    with _lock:
        if _default is None:
            _default = BusinessCalendar(
                day_table_from_chinese_calendar(supported_years()), WorkingHours.standard()
            )
        return _default


def add_working_days(start: datetime, n: float) -> datetime:
    """start + n working days (earliest instant with n working days of working time after start)."""
    return default_calendar().add_working(start, n, "working_days").at


def add_working_hours(start: datetime, n: float) -> datetime:
    """start + n working hours."""
    return default_calendar().add_working(start, n, "working_hours").at


def working_days_between(a: datetime, b: datetime) -> float:
    """Working days of working time from a to b (fractional; negative if b < a)."""
    return default_calendar().working_between(a, b, "working_days")


def working_hours_between(a: datetime, b: datetime) -> float:
    """Working hours from a to b (negative if b < a)."""
    return default_calendar().working_between(a, b, "working_hours")


def statutory_deadline(start: datetime, n: int) -> datetime:
    """End (closing time) of the n-th working day after the day of start; that day is not counted."""
    return default_calendar().deadline_end_of_working_day(start, n).at


def is_working_day(d: date) -> bool:
    return default_calendar().is_working_day(d)


SANDBOX_HELPERS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "add_working_days": add_working_days,
        "add_working_hours": add_working_hours,
        "working_days_between": working_days_between,
        "working_hours_between": working_hours_between,
        "statutory_deadline": statutory_deadline,
        "is_working_day": is_working_day,
    }
)


def register_sandbox_helpers(register: Callable[[str, Callable[..., Any]], object]) -> None:
    """Hand every helper to a registrar, e.g. ``register_sandbox_helpers(register_helper)``
    with engine.sandbox.helpers.register_helper; this module does not import the sandbox."""
    for name, fn in SANDBOX_HELPERS.items():
        register(name, fn)
