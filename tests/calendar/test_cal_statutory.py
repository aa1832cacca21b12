"""Administrative Licensing Law counting: receipt day not counted, end of the n-th working day."""

from __future__ import annotations

from datetime import date

import pytest
from calendar_support import at

from engine.calendar import BusinessCalendar, CalendarInputError


def test_acceptance_within_5_working_days_across_golden_week_2026(cal: BusinessCalendar) -> None:
    # Materials received Wed 30 Sep 2026 (not counted). Working days after it:
    # Thu 8 Oct (1), Fri 9 (2), Sat 10 make-up (3), Mon 12 (4), Tue 13 (5).
    deadline = cal.deadline_end_of_working_day(at(2026, 9, 30, 16, 45), 5)
    assert deadline.at == at(2026, 10, 13, 18)
    assert not deadline.provisional


def test_receipt_on_a_holiday_starts_counting_on_the_next_working_day(cal: BusinessCalendar) -> None:
    # received online Sat 26 Sep 2026 (中秋节): Mon 28 (1), Tue 29, Wed 30, Thu 8 Oct, Fri 9 Oct (5)
    assert cal.deadline_end_of_working_day(at(2026, 9, 26, 10), 5).at == at(2026, 10, 9, 18)


def test_decision_20_working_days_and_10_day_extension_counted_from_the_first_deadline(
    cal: BusinessCalendar,
) -> None:
    decision = cal.deadline_end_of_working_day(at(2026, 9, 15, 10), 20)
    assert decision.at.date() == cal.nth_working_day_after(date(2026, 9, 15), 20)
    extended = cal.deadline_end_of_working_day(decision.at, 10)
    assert extended.at.date() == cal.nth_working_day_after(date(2026, 9, 15), 30)


def test_statutory_count_differs_from_elapsed_working_days(cal: BusinessCalendar) -> None:
    start = at(2026, 9, 29, 10)
    # elapsed: same time of day; statutory: the whole 1st working day after the receipt day
    assert cal.add_working(start, 1, "working_days").at == at(2026, 9, 30, 10)
    assert cal.deadline_end_of_working_day(start, 1).at == at(2026, 9, 30, 18)


def test_midnight_cutoff_ends_at_24_00_of_the_last_day(cal: BusinessCalendar) -> None:
    assert cal.deadline_end_of_working_day(at(2026, 9, 30, 10), 1, cutoff="midnight").at == at(2026, 10, 9, 0)


@pytest.mark.parametrize("n", [0, -3, 1.5, True])
def test_statutory_n_must_be_a_positive_integer(cal: BusinessCalendar, n: object) -> None:
    with pytest.raises(CalendarInputError):
        cal.deadline_end_of_working_day(at(2026, 9, 30, 10), n)  # type: ignore[arg-type]
