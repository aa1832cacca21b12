"""Bulletin periods: ISO weeks, months and quarters in local time; a bulletin is due at the opening of the
first working day after its period (the working calendar: statutory holidays and make-up days)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.calendar.business import BusinessCalendar
from engine.calendar.chinese import day_table_from_chinese_calendar
from engine.calendar.hours import WorkingHours
from engine.errors import InvalidInput
from engine.reporting.periods import due_period, issue_at, parse_period, period_containing

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar(day_table_from_chinese_calendar([2025, 2026]), WorkingHours.standard(), SH)


@pytest.mark.parametrize(("kind", "label", "first", "last"), [
    ("monthly", "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("monthly", "2026-2", date(2026, 2, 1), date(2026, 2, 28)),
    ("monthly", "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ("weekly", "2026-W45", date(2026, 11, 2), date(2026, 11, 8)),  # ISO weeks start on Monday
    ("weekly", "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),  # week 1 holds the year's first Thursday
    ("quarterly", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("quarterly", "2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
])
def test_a_period_label_names_its_first_and_last_local_day(kind, label, first, last) -> None:
    period = parse_period(kind, label)
    assert (period.first, period.last) == (first, last)
    assert parse_period(kind, period.label) == period
    assert period.next().previous() == period


@pytest.mark.parametrize(("kind", "label"), [
    ("monthly", "2026-13"), ("monthly", "2026-W45"), ("monthly", "November"), ("monthly", ""),
    ("weekly", "2026-W54"), ("weekly", "2026-11"), ("quarterly", "2026-Q5"), ("quarterly", "2026-10"),
])
def test_a_label_of_the_wrong_form_is_refused_with_an_example(kind, label) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(kind, label)
    assert refused.value.key == "bulletin.bad_period"
    assert refused.value.params["example"] in str(refused.value)


@pytest.mark.parametrize("kind, label", [("monthly", "0001-01"), ("weekly", "0001-W01"), ("weekly", "9999-W52"),
                                         ("monthly", "1900-01"), ("quarterly", "9999-Q4"), ("monthly", "0099-01")])
def test_a_period_outside_the_years_bulletins_cover_is_refused_before_its_bounds_are_taken(kind, label) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(kind, label).bounds(SH)
    assert refused.value.key == "bulletin.period_out_of_range" and refused.value.params["period"] == label


def test_the_first_and_last_years_covered_are_periods() -> None:
    assert parse_period("weekly", "2000-W01").bounds(SH)[0] < parse_period("monthly", "9000-12").bounds(SH)[1]


def test_period_bounds_are_local_midnights_in_utc() -> None:
    since, until = parse_period("monthly", "2026-11").bounds(SH)
    assert since == datetime(2026, 10, 31, 16, tzinfo=UTC) and until == datetime(2026, 11, 30, 16, tzinfo=UTC)


def test_period_words_name_the_period_in_chinese_and_english() -> None:
    week = parse_period("weekly", "2026-W45")
    assert week.words("zh") == "2026年第45周（11月2日—11月8日）"
    assert parse_period("quarterly", "2026-Q4").words("zh") == "2026年第四季度"
    assert parse_period("monthly", "2026-11").words("en") == "November 2026"


def test_a_bulletin_is_issued_at_the_opening_of_the_first_working_day_after_its_period(calendar) -> None:
    # October 2026 ends on a Saturday: the bulletin comes on Monday 2 November at 09:00.
    assert issue_at(parse_period("monthly", "2026-10"), calendar) == datetime(2026, 11, 2, 9, tzinfo=SH)
    assert issue_at(parse_period("monthly", "2026-10"), calendar, 0) == datetime(2026, 11, 1, tzinfo=SH)
    assert issue_at(parse_period("monthly", "2026-10"), calendar, 2) == datetime(2026, 11, 3, 9, tzinfo=SH)


def test_a_period_closing_before_a_statutory_holiday_is_reported_after_it(calendar) -> None:
    # National Day 2026: 1-7 October are holidays; September's and the third quarter's bulletins wait for the 8th.
    assert issue_at(parse_period("monthly", "2026-09"), calendar) == datetime(2026, 10, 8, 9, tzinfo=SH)
    assert issue_at(parse_period("quarterly", "2026-Q3"), calendar) == datetime(2026, 10, 8, 9, tzinfo=SH)
    # The Spring Festival week: the week of 9-15 February 2026 is reported on Tuesday 24 February.
    assert issue_at(parse_period("weekly", "2026-W07"), calendar) == datetime(2026, 2, 24, 9, tzinfo=SH)


def test_the_due_period_is_the_previous_one_once_its_issue_time_has_come(calendar) -> None:
    before = datetime(2026, 11, 2, 8, 59, tzinfo=SH)
    at = datetime(2026, 11, 2, 9, 0, tzinfo=SH)
    assert due_period("monthly", before, calendar) is None
    assert due_period("monthly", at, calendar) == parse_period("monthly", "2026-10")
    assert due_period("weekly", at, calendar) == parse_period("weekly", "2026-W44")
    assert due_period("quarterly", datetime(2026, 10, 8, 9, tzinfo=SH), calendar) == parse_period("quarterly", "2026-Q3")
    assert due_period("quarterly", datetime(2026, 10, 7, 23, tzinfo=SH), calendar) is None
    assert period_containing("weekly", date(2026, 11, 8)).label == "2026-W45"
