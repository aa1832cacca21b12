"""The 2026 day kinds from chinese_calendar match the State Council's 2026 notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from engine.calendar import (
    Day,
    DayKind,
    DayTable,
    YearNotSupported,
    day_table_from_chinese_calendar,
    merge_tables,
)


def span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_national_day_2026_is_oct_1_to_7_with_makeup_sep_20_and_oct_10(table_2024_2026: DayTable) -> None:
    for d in span(date(2026, 10, 1), date(2026, 10, 7)):
        assert table_2024_2026[d] == Day(DayKind.HOLIDAY, "国庆节"), d
    # 调休: Sunday 20 September and Saturday 10 October are working days
    assert table_2024_2026[date(2026, 9, 20)] == Day(DayKind.MAKEUP, "国庆节")
    assert table_2024_2026[date(2026, 10, 10)] == Day(DayKind.MAKEUP, "国庆节")
    assert table_2024_2026[date(2026, 10, 11)] == Day(DayKind.WEEKEND)
    assert table_2024_2026[date(2026, 10, 8)] == Day(DayKind.WORKDAY)
    assert table_2024_2026[date(2026, 9, 30)] == Day(DayKind.WORKDAY)


def test_mid_autumn_2026_is_a_separate_holiday_sep_25_to_27(table_2024_2026: DayTable) -> None:
    for d in span(date(2026, 9, 25), date(2026, 9, 27)):
        assert table_2024_2026[d] == Day(DayKind.HOLIDAY, "中秋节")


def test_spring_festival_2026_is_feb_15_to_23_with_makeup_feb_14_and_28(table_2024_2026: DayTable) -> None:
    holiday = span(date(2026, 2, 15), date(2026, 2, 23))
    assert len(holiday) == 9
    for d in holiday:
        assert table_2024_2026[d] == Day(DayKind.HOLIDAY, "春节"), d
    assert table_2024_2026[date(2026, 2, 14)] == Day(DayKind.MAKEUP, "春节")
    assert table_2024_2026[date(2026, 2, 28)] == Day(DayKind.MAKEUP, "春节")
    assert table_2024_2026[date(2026, 2, 13)].kind is DayKind.WORKDAY
    assert table_2024_2026[date(2026, 2, 24)].kind is DayKind.WORKDAY


def test_every_2026_makeup_day_is_a_weekend_day_that_works(table_2024_2026: DayTable) -> None:
    makeups = [d for d in table_2024_2026.dates_of(DayKind.MAKEUP) if d.year == 2026]
    assert makeups == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 and table_2024_2026[d].is_working for d in makeups)


def test_table_is_a_mapping_over_every_date_of_its_years(table_2024_2026: DayTable) -> None:
    assert table_2024_2026.years == {2024, 2025, 2026}
    assert len(table_2024_2026) == 366 + 365 + 365 == len(list(table_2024_2026))
    assert date(2027, 1, 1) not in table_2024_2026
    with pytest.raises(KeyError):
        table_2024_2026[date(2027, 1, 1)]
    # outside the table the weekend-only rule answers kind_of
    assert table_2024_2026.kind_of(date(2027, 1, 1)) is DayKind.WORKDAY


def test_table_is_immutable(table_2024_2026: DayTable) -> None:
    with pytest.raises(TypeError):
        table_2024_2026[date(2026, 10, 8)] = Day(DayKind.HOLIDAY, "x")  # type: ignore[index]
    with pytest.raises(TypeError):
        table_2024_2026.exceptions[date(2026, 10, 8)] = Day(DayKind.HOLIDAY, "x")  # type: ignore[index]


def test_chinese_calendar_refuses_2027_with_a_clear_error() -> None:
    with pytest.raises(YearNotSupported, match="2027"):
        day_table_from_chinese_calendar([2027])


def test_makeup_day_on_a_weekday_is_rejected() -> None:
    with pytest.raises(ValueError, match="Saturday or Sunday"):
        DayTable([2026], {date(2026, 10, 8): Day(DayKind.MAKEUP, "x")})


def test_merge_lets_the_table_owning_a_year_replace_it() -> None:
    old = DayTable([2030], {date(2030, 5, 6): Day(DayKind.HOLIDAY, "old")})
    new = DayTable([2030], {date(2030, 5, 7): Day(DayKind.HOLIDAY, "new")})
    merged = merge_tables(old, new)
    assert merged[date(2030, 5, 6)].kind is DayKind.WORKDAY  # correction removed it
    assert merged[date(2030, 5, 7)] == Day(DayKind.HOLIDAY, "new")


def test_merge_keeps_a_december_spill_over_from_next_years_notice_in_any_order() -> None:
    # the 2019 notice made Saturday 2018-12-29 a working day and 2018-12-31 a day off
    y2018 = DayTable([2018])
    y2019 = DayTable(
        [2019],
        {date(2018, 12, 29): Day(DayKind.MAKEUP, "元旦"), date(2018, 12, 31): Day(DayKind.HOLIDAY, "元旦")},
    )
    for merged in (merge_tables(y2018, y2019), merge_tables(y2019, y2018)):
        assert merged[date(2018, 12, 29)] == Day(DayKind.MAKEUP, "元旦")
        assert merged[date(2018, 12, 31)] == Day(DayKind.HOLIDAY, "元旦")
        assert merged.years == {2018, 2019}


def test_chinese_calendar_reproduces_the_2018_12_29_spill_over() -> None:
    table = day_table_from_chinese_calendar([2018, 2019])
    assert table[date(2018, 12, 29)] == Day(DayKind.MAKEUP, "元旦")
    assert table[date(2018, 12, 31)] == Day(DayKind.HOLIDAY, "元旦")


def test_merge_marks_a_year_draft_only_if_its_last_owner_is_draft() -> None:
    draft = DayTable([2027], {}, draft_years=[2027])
    official = DayTable([2027])
    assert merge_tables(official, draft).draft_years == {2027}
    assert merge_tables(draft, official).draft_years == frozenset()
