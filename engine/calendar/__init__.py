"""Business-time arithmetic: day tables (holidays, 调休), working hours, deadlines.

Pure module: no database, no Flask. See docs/calendar.md for the semantics.
"""

from __future__ import annotations

from engine.calendar.build import build_day_table, year_files_in
from engine.calendar.business import UNITS, BusinessCalendar, Cutoff, Deadline, Unit
from engine.calendar.chinese import day_table_from_chinese_calendar, supported_years
from engine.calendar.days import Day, DayKind, DayTable, merge_tables, plain_day
from engine.calendar.errors import CalendarInputError, NaiveDatetimeError, YearNotSupported
from engine.calendar.helpers import (
    SANDBOX_HELPERS,
    add_working_days,
    add_working_hours,
    default_calendar,
    register_sandbox_helpers,
    set_default_calendar,
    statutory_deadline,
    working_days_between,
    working_hours_between,
)
from engine.calendar.hours import WorkingHours, WorkingHoursConfig, load_working_hours
from engine.calendar.yearfile import (
    DraftYearRefused,
    YearFile,
    load_year_file,
    read_year_file,
    validate_year_file,
)
from engine.calendar.zones import DEFAULT_TZ

__all__ = [
    "DEFAULT_TZ",
    "SANDBOX_HELPERS",
    "UNITS",
    "BusinessCalendar",
    "CalendarInputError",
    "Cutoff",
    "Day",
    "DayKind",
    "DayTable",
    "Deadline",
    "DraftYearRefused",
    "NaiveDatetimeError",
    "Unit",
    "WorkingHours",
    "WorkingHoursConfig",
    "YearFile",
    "YearNotSupported",
    "add_working_days",
    "build_day_table",
    "add_working_hours",
    "day_table_from_chinese_calendar",
    "default_calendar",
    "load_working_hours",
    "load_year_file",
    "merge_tables",
    "plain_day",
    "read_year_file",
    "register_sandbox_helpers",
    "set_default_calendar",
    "statutory_deadline",
    "supported_years",
    "validate_year_file",
    "working_days_between",
    "working_hours_between",
    "year_files_in",
]
