"""Day kinds for 2024-2026 (chinese_calendar) agree with a second source, the `holidays` package."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from engine.calendar import DayKind, DayTable

YEARS = [2024, 2025, 2026]

# Allowed differences, one reason: `holidays` lists the days *off* that are not already off,
# so Saturdays/Sundays inside a holiday span (e.g. Sun 4 Oct 2026 in 国庆节 Oct 1-7) are plain
# weekend days there, while we label them HOLIDAY with the holiday's name (as chinese_calendar
# and the State Council notice do: "10月1日至7日放假调休，共7天"). Both are non-working days, so
# no working-day answer differs. If this list changes, one of the two sources changed its data.
WEEKEND_DAYS_LABELLED_ONLY_BY_US = {
    date.fromisoformat(d)
    for d in (
        "2024-02-17 2024-04-06 2024-05-04 2024-05-05 2024-09-15 2024-10-05 2024-10-06 "
        "2025-02-01 2025-02-02 2025-04-05 2025-04-06 2025-05-03 2025-05-04 2025-06-01 2025-10-04 2025-10-05 "
        "2026-01-03 2026-02-15 2026-02-21 2026-02-22 2026-04-04 2026-05-03 2026-06-20 2026-06-21 "
        "2026-09-26 2026-09-27 2026-10-04"
    ).split()
}


@pytest.fixture(scope="module")
def theirs() -> holidays.HolidayBase:
    return holidays.China(years=YEARS)


def all_dates() -> list[date]:
    d, out = date(YEARS[0], 1, 1), []
    while d.year <= YEARS[-1]:
        out.append(d)
        d += timedelta(days=1)
    return out


def test_working_or_not_agrees_on_every_day_2024_to_2026(
    table_2024_2026: DayTable, theirs: holidays.HolidayBase
) -> None:
    disagree = [d for d in all_dates() if table_2024_2026[d].is_working != theirs.is_working_day(d)]
    assert disagree == []


def test_makeup_workdays_agree(table_2024_2026: DayTable, theirs: holidays.HolidayBase) -> None:
    their_makeups = {d for d in theirs.weekend_workdays if d.year in YEARS}
    assert set(table_2024_2026.dates_of(DayKind.MAKEUP)) == their_makeups
    assert len(their_makeups) == 8 + 5 + 6  # the 2024, 2025 and 2026 notices


def test_every_holiday_they_list_is_a_holiday_here(
    table_2024_2026: DayTable, theirs: holidays.HolidayBase
) -> None:
    assert {d for d in theirs if table_2024_2026[d].kind is not DayKind.HOLIDAY} == set()


def test_holidays_only_we_list_are_exactly_the_allowed_weekend_days(
    table_2024_2026: DayTable, theirs: holidays.HolidayBase
) -> None:
    only_ours = set(table_2024_2026.dates_of(DayKind.HOLIDAY)) - set(theirs)
    assert only_ours == WEEKEND_DAYS_LABELLED_ONLY_BY_US
    assert all(d.weekday() >= 5 for d in only_ours)
