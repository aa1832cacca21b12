"""Year files: format, validation messages, the draft rule, and the shipped files."""

from __future__ import annotations

from datetime import date

import holidays
import pytest
from calendar_support import RULES

from engine.calendar import (
    DayKind,
    DraftYearRefused,
    build_day_table,
    day_table_from_chinese_calendar,
    load_year_file,
    read_year_file,
    validate_year_file,
    year_files_in,
)
from engine.errors import DefinitionInvalid

GOOD = """
year: 2030
status: official
source: test notice
holidays:
  - {name: 国庆节, from: 2030-10-01, to: 2030-10-07, days: 7}
makeup_workdays:
  - {date: 2030-09-29, name: 国庆节}
"""


def test_shipped_2026_file_equals_chinese_calendar_2026() -> None:
    assert load_year_file(RULES / "cn-2026.yaml") == day_table_from_chinese_calendar([2026])


def test_year_file_from_text_gives_holiday_span_and_makeup_day() -> None:
    table = load_year_file(GOOD)
    assert table.years == {2030}
    assert [d for d in table if table[d].kind is DayKind.HOLIDAY] == [date(2030, 10, d) for d in range(1, 8)]
    assert table[date(2030, 9, 29)].kind is DayKind.MAKEUP  # a Sunday
    assert table[date(2030, 10, 8)].kind is DayKind.WORKDAY


@pytest.mark.parametrize(
    ("bad", "element", "fragment"),
    [
        (GOOD.replace("days: 7", "days: 8"), "holidays[0].days", "days says 8"),
        (GOOD.replace("2030-09-29", "2030-09-30"), "makeup_workdays[0].date", "is a weekday"),
        (GOOD.replace("2030-09-29", "2030-10-05"), "makeup_workdays[0].date", "also listed"),
        (GOOD.replace("to: 2030-10-07", "to: 2031-01-02"), "holidays[0].to", "outside 2030"),
        (GOOD.replace("status: official", "status: final"), "status", "official"),
        (GOOD.replace("source: test notice", "source: ''"), "source", "names its source"),
        (GOOD.replace("name: 国庆节, from", "from"), "holidays[0].name", "required"),
        (GOOD + "holliday: []\n", "holliday", "unknown key"),
        (GOOD.replace("to: 2030-10-07", "to: 2030-09-07"), "holidays[0]", "before"),
    ],
)
def test_invalid_year_file_is_reported_with_element_and_reason(bad: str, element: str, fragment: str) -> None:
    problems = validate_year_file(bad)
    assert any(p.element == element and fragment in p.message for p in problems), problems
    with pytest.raises(DefinitionInvalid):
        load_year_file(bad)


def test_december_of_the_previous_year_may_spill_over() -> None:
    text = GOOD.replace("makeup_workdays:", "makeup_workdays:\n  - {date: 2029-12-29, name: 元旦}")
    table = load_year_file(text)
    assert table.exceptions[date(2029, 12, 29)].kind is DayKind.MAKEUP
    assert date(2029, 12, 29) not in table  # effective only once 2029 is covered too


def test_draft_file_is_refused_unless_allowed_and_then_stays_draft() -> None:
    draft = GOOD.replace("status: official", "status: draft")
    with pytest.raises(DraftYearRefused):
        load_year_file(draft)
    assert load_year_file(draft, allow_draft=True).draft_years == {2030}


def test_shipped_2027_file_is_a_draft_and_refused_by_default() -> None:
    parsed = read_year_file(RULES / "cn-2027.yaml")
    assert parsed.is_draft and parsed.table.draft_years == {2027}
    assert parsed.table.dates_of(DayKind.MAKEUP) == []
    with pytest.raises(DraftYearRefused):
        load_year_file(RULES / "cn-2027.yaml")


def test_draft_2027_statutory_days_agree_with_the_holidays_library_lunar_dates() -> None:
    # The draft lists only 《全国年节及纪念日放假办法》 days; a second source must place them on
    # the same dates (spring festival, qingming, dragon boat, mid-autumn are lunar/solar-term dates).
    table = read_year_file(RULES / "cn-2027.yaml").table
    theirs = set(holidays.China(years=2027))
    ours = set(table.dates_of(DayKind.HOLIDAY))
    assert len(ours) == 1 + 4 + 1 + 2 + 1 + 1 + 3
    assert ours <= theirs, sorted(ours - theirs)


def test_build_day_table_skips_drafts_unless_allowed() -> None:
    files = year_files_in(RULES)
    assert [f.name for f in files] == ["cn-2026.yaml", "cn-2027.yaml"]
    assert 2027 not in build_day_table(files).years
    assert build_day_table(files, allow_draft=True).draft_years == {2027}
