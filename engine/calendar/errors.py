"""Errors of the calendar; all are engine errors (422 on the API) and ValueErrors for plain callers."""

from __future__ import annotations

from engine.errors import InvalidInput


class CalendarInputError(InvalidInput, ValueError):
    """Bad argument to a calendar function (unit, amount, datetime)."""

    code = "calendar_input"


class NaiveDatetimeError(CalendarInputError):
    """A datetime without tzinfo was given; the calendar will not guess which zone was meant."""

    code = "naive_datetime"


class YearNotSupported(CalendarInputError):
    """The installed chinese_calendar has no data for a requested year."""

    code = "year_not_supported"
