"""Deadlines reaching into an unloaded year: weekends only, provisional, final once it is loaded."""

from __future__ import annotations

from datetime import date

from calendar_support import at

from engine.calendar import BusinessCalendar, DayKind, load_year_file, merge_tables

# A test-only 2027 table (not the real schedule): New Year on Friday 1 Jan 2027 plus a
# Saturday make-up day, enough to show the recomputation changes the answer.
TEST_2027 = """
year: 2027
status: official
source: test fixture, not the State Council schedule
holidays:
  - {name: 元旦, from: 2027-01-01}
makeup_workdays:
  - {date: 2027-01-09, name: 元旦}
"""


def test_deadline_crossing_into_2027_is_weekends_only_and_provisional(cal: BusinessCalendar) -> None:
    # Wed 30 Dec 2026 10:00 + 3 working days: Thu 31, Fri 1 Jan (weekday rule), Mon 4 Jan
    d = cal.add_working(at(2026, 12, 30, 10), 3, "working_days")
    assert d.at == at(2027, 1, 4, 10)
    assert d.provisional and d.missing_years == {2027}


def test_deadline_inside_loaded_years_is_not_provisional(cal: BusinessCalendar) -> None:
    d = cal.add_working(at(2026, 12, 28, 10), 3, "working_days")
    assert d.at == at(2026, 12, 31, 10) and not d.provisional


def test_loading_2027_makes_the_deadline_final_and_applies_its_holidays(cal: BusinessCalendar) -> None:
    loaded = cal.with_day_table(merge_tables(cal.day_table, load_year_file(TEST_2027)))
    assert loaded.day_table.kind_of(date(2027, 1, 1)) is DayKind.HOLIDAY
    d = loaded.add_working(at(2026, 12, 30, 10), 3, "working_days")
    assert d.at == at(2027, 1, 5, 10)  # Thu 31, Mon 4, Tue 5
    assert not d.provisional


def test_a_draft_2027_keeps_deadlines_provisional(cal: BusinessCalendar) -> None:
    draft = load_year_file(TEST_2027.replace("status: official", "status: draft"), allow_draft=True)
    d = cal.with_day_table(merge_tables(cal.day_table, draft)).add_working(
        at(2026, 12, 30, 10), 3, "working_days"
    )
    assert d.at == at(2027, 1, 5, 10)  # draft data is used…
    assert d.provisional  # …but not trusted


def test_statutory_deadline_into_2027_is_provisional_too(cal: BusinessCalendar) -> None:
    d = cal.deadline_end_of_working_day(at(2026, 12, 28, 10), 5)
    assert d.at == at(2027, 1, 4, 18) and d.provisional


def test_is_provisional_answers_for_a_span(cal: BusinessCalendar) -> None:
    assert not cal.is_provisional(at(2026, 1, 1), at(2026, 12, 31, 23))
    assert cal.is_provisional(at(2026, 12, 31), at(2027, 1, 2))
    assert cal.is_provisional(at(2023, 12, 31), at(2024, 1, 2))
