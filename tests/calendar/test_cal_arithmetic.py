"""add_working / working_between: lunch break, day vs hour units, holidays, zones, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from calendar_support import at

from engine.calendar import BusinessCalendar, CalendarInputError, NaiveDatetimeError


def test_working_hours_skip_the_lunch_break(cal: BusinessCalendar) -> None:
    assert cal.add_working(at(2026, 9, 29, 11), 2, "working_hours").at == at(2026, 9, 29, 15)
    assert cal.working_between(at(2026, 9, 29, 11), at(2026, 9, 29, 15), "working_hours") == 2


def test_a_limit_that_runs_out_at_noon_ends_at_noon_not_after_lunch(cal: BusinessCalendar) -> None:
    assert cal.add_working(at(2026, 9, 29, 11), 1, "working_hours").at == at(2026, 9, 29, 12)


def test_starting_during_lunch_counts_from_the_afternoon_opening(cal: BusinessCalendar) -> None:
    assert cal.add_working(at(2026, 9, 29, 12, 30), 1, "working_hours").at == at(2026, 9, 29, 15)
    assert cal.working_between(at(2026, 9, 29, 12), at(2026, 9, 29, 14), "working_hours") == 0


def test_exposed_rubbish_4_working_hours_reported_friday_afternoon_due_monday(cal: BusinessCalendar) -> None:
    # Fri 2026-09-18 16:30: 1.5 h left on Friday, Sat 19 is a weekend, Sun 20 is a make-up workday
    assert cal.add_working(at(2026, 9, 18, 16, 30), 4, "working_hours").at == at(2026, 9, 20, 11, 30)


def test_one_working_day_is_not_24_working_hours(cal: BusinessCalendar) -> None:
    start = at(2026, 9, 29, 10)  # Tuesday
    one_day = cal.add_working(start, 1, "working_days").at
    assert one_day == at(2026, 9, 30, 10)  # same time of day, next working day
    assert cal.working_between(start, one_day, "working_hours") == 7  # the day's working time
    # 24 working hours: 6 h left on Tue 29, 7 on Wed 30, (Oct 1-7 off) 7 on Thu 8 Oct, 4 on Fri 9
    assert cal.add_working(start, 24, "working_hours").at == at(2026, 10, 9, 15)
    assert cal.working_between(start, at(2026, 10, 9, 15), "working_days") == pytest.approx(24 / 7)


def test_working_days_across_national_day_2026_land_on_the_same_time_of_day(cal: BusinessCalendar) -> None:
    # Wed 30 Sep 10:00 + 1 working day: Oct 1-7 are holidays → Thu 8 Oct 10:00
    assert cal.add_working(at(2026, 9, 30, 10), 1, "working_days").at == at(2026, 10, 8, 10)
    # + 3: Oct 8, Oct 9, Sat Oct 10 (make-up workday)
    assert cal.add_working(at(2026, 9, 30, 10), 3, "working_days").at == at(2026, 10, 10, 10)
    assert cal.working_between(at(2026, 9, 30, 10), at(2026, 10, 10, 10), "working_days") == 3


def test_from_outside_working_hours_the_count_starts_at_the_next_opening(cal: BusinessCalendar) -> None:
    # Wed 30 Sep 20:00 → counting starts Thu 8 Oct 09:00; 1 working day = all of Oct 8
    assert cal.next_working_time(at(2026, 9, 30, 20)) == at(2026, 10, 8, 9)
    assert cal.add_working(at(2026, 9, 30, 20), 1, "working_days").at == at(2026, 10, 8, 18)
    assert cal.add_working(at(2026, 9, 30, 20), 1, "working_hours").at == at(2026, 10, 8, 10)


def test_a_result_at_an_opening_is_written_as_the_preceding_closing(cal: BusinessCalendar) -> None:
    # 1 working day from 09:00 is that day's 18:00 (same business instant as next day 09:00)
    assert cal.add_working(at(2026, 9, 29, 9), 1, "working_days").at == at(2026, 9, 29, 18)
    assert cal.working_between(at(2026, 9, 29, 18), at(2026, 9, 30, 9), "working_days") == 0


def test_fractional_working_days_are_fractions_of_the_days_working_time(cal: BusinessCalendar) -> None:
    assert cal.add_working(at(2026, 9, 29, 9), 0.5, "working_days").at == at(2026, 9, 29, 14, 30)


def test_zero_returns_the_start_unchanged(cal: BusinessCalendar) -> None:
    assert cal.add_working(at(2026, 10, 3, 20), 0, "working_days").at == at(2026, 10, 3, 20)


def test_working_between_is_antisymmetric(cal: BusinessCalendar) -> None:
    a, b = at(2026, 9, 29, 10), at(2026, 10, 9, 11)
    assert cal.working_between(b, a, "working_hours") == -cal.working_between(a, b, "working_hours")


def test_wall_clock_units_ignore_the_calendar(cal: BusinessCalendar) -> None:
    start = at(2026, 10, 1, 23, 50)  # a holiday night
    assert cal.add_working(start, 15, "minutes").at == at(2026, 10, 2, 0, 5)
    assert cal.add_working(start, 6, "hours").at == start + timedelta(hours=6)
    assert cal.add_working(start, 2, "days").at == at(2026, 10, 3, 23, 50)
    assert cal.working_between(start, at(2026, 10, 2, 0, 5), "minutes") == 15
    assert not cal.add_working(start, 2, "days").provisional


def test_naive_datetimes_are_rejected_with_a_clear_error(cal: BusinessCalendar) -> None:
    with pytest.raises(NaiveDatetimeError, match="naive"):
        cal.add_working(datetime(2026, 10, 8, 10), 1, "working_days")
    with pytest.raises(NaiveDatetimeError):
        cal.working_between(at(2026, 10, 8, 10), datetime(2026, 10, 9, 10), "working_hours")
    with pytest.raises(ValueError):  # also a plain ValueError for non-engine callers
        cal.deadline_end_of_working_day(datetime(2026, 10, 8, 10), 5)


def test_aware_datetimes_in_other_zones_are_converted_to_shanghai(cal: BusinessCalendar) -> None:
    utc_start = datetime(2026, 9, 29, 2, tzinfo=UTC)  # 10:00 in Shanghai
    result = cal.add_working(utc_start, 1, "working_days").at
    assert result == at(2026, 9, 30, 10)
    assert result.tzinfo == at(2026, 1, 1).tzinfo


@pytest.mark.parametrize("n", [-1, float("nan"), float("inf"), True, "1"])
def test_negative_or_non_numeric_amounts_are_rejected(cal: BusinessCalendar, n: object) -> None:
    with pytest.raises(CalendarInputError):
        cal.add_working(at(2026, 9, 29, 10), n, "working_days")  # type: ignore[arg-type]


def test_unknown_unit_is_rejected(cal: BusinessCalendar) -> None:
    with pytest.raises(CalendarInputError, match="unknown unit"):
        cal.add_working(at(2026, 9, 29, 10), 1, "weeks")  # type: ignore[arg-type]
