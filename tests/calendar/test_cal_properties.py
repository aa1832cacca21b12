"""Properties of the arithmetic, for any start in 2024-2026 and any amount (hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta

from calendar_support import SHANGHAI, at
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import BusinessCalendar, WorkingHours, day_table_from_chinese_calendar

CAL = BusinessCalendar(day_table_from_chinese_calendar([2024, 2025, 2026]), WorkingHours.standard())
LUNCH_ONLY = BusinessCalendar(CAL.day_table, WorkingHours.parse(["08:30-12:00", "13:30-17:30"]))
CALENDARS = st.sampled_from([CAL, LUNCH_ONLY])

starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(SHANGHAI)
).map(lambda d: d.replace(microsecond=0))
working_units = st.sampled_from(["working_hours", "working_days"])
whole = st.integers(min_value=0, max_value=40)
amounts = st.one_of(whole, st.floats(min_value=0, max_value=40, allow_nan=False).map(lambda x: round(x, 3)))
wall_units = st.sampled_from(["minutes", "hours", "days"])
WALL = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}


def in_working_time_closed(cal: BusinessCalendar, t: datetime) -> bool:
    """Inside a working period, its closing instant included (limits may end at 12:00 or 18:00)."""
    local = t.astimezone(cal.tz)
    wall = local.time().replace(tzinfo=None)
    return cal.is_working_day(local.date()) and any(s <= wall <= e for s, e in cal.working_hours.periods)


@given(CALENDARS, starts, working_units, amounts, amounts)
def test_add_working_is_monotone_in_n(
    cal: BusinessCalendar, s: datetime, unit: str, n1: float, n2: float
) -> None:
    lo, hi = sorted((n1, n2))
    assert cal.add_working(s, lo, unit).at <= cal.add_working(s, hi, unit).at  # type: ignore[arg-type]


@given(CALENDARS, starts, starts, working_units, amounts)
def test_add_working_is_monotone_in_start(
    cal: BusinessCalendar, s1: datetime, s2: datetime, unit: str, n: float
) -> None:
    lo, hi = sorted((s1, s2))
    assert cal.add_working(lo, n, unit).at <= cal.add_working(hi, n, unit).at  # type: ignore[arg-type]


@given(CALENDARS, starts, working_units, whole)
def test_round_trip_is_exact_for_whole_amounts_from_inside_working_time(
    cal: BusinessCalendar, s: datetime, unit: str, n: int
) -> None:
    inside = cal.next_working_time(s)
    assert cal.is_working_time(inside)
    assert cal.working_between(inside, cal.add_working(inside, n, unit).at, unit) == n  # type: ignore[arg-type]


@given(CALENDARS, starts, working_units, amounts)
def test_round_trip_holds_from_any_start(cal: BusinessCalendar, s: datetime, unit: str, n: float) -> None:
    end = cal.add_working(s, n, unit).at  # type: ignore[arg-type]
    assert abs(cal.working_between(s, end, unit) - n) < 1e-6  # type: ignore[arg-type]


@given(CALENDARS, starts, working_units, amounts.filter(lambda n: n > 0))
def test_results_land_in_working_time(cal: BusinessCalendar, s: datetime, unit: str, n: float) -> None:
    assert in_working_time_closed(cal, cal.add_working(s, n, unit).at)  # type: ignore[arg-type]


@given(CALENDARS, starts, working_units, amounts.filter(lambda n: n > 0))
def test_result_is_the_earliest_instant_with_n_of_working_time(
    cal: BusinessCalendar, s: datetime, unit: str, n: float
) -> None:
    end = cal.add_working(s, n, unit).at  # type: ignore[arg-type]
    assert cal.working_between(s, end - timedelta(seconds=1), unit) < n  # type: ignore[arg-type]


@given(CALENDARS, starts, starts, starts)
def test_working_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    total = cal.working_between(a, c, "working_hours")
    assert (
        abs(cal.working_between(a, b, "working_hours") + cal.working_between(b, c, "working_hours") - total)
        < 1e-9
    )
    assert 0 <= total <= (c - a) / timedelta(hours=1)


@given(starts, wall_units, st.integers(min_value=0, max_value=10_000))
def test_wall_clock_units_equal_plain_timedelta_arithmetic(s: datetime, unit: str, n: int) -> None:
    d = CAL.add_working(s, n, unit)  # type: ignore[arg-type]
    assert d.at == s + WALL[unit] * n
    assert not d.provisional
    assert CAL.working_between(s, d.at, unit) == n  # type: ignore[arg-type]


@given(
    st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(SHANGHAI))
)
def test_no_dst_in_asia_shanghai_so_wall_and_elapsed_hours_agree(t: datetime) -> None:
    assert t.utcoffset() == timedelta(hours=8)
    later = CAL.add_working(t, 24, "hours").at
    assert later.replace(tzinfo=None) - t.replace(tzinfo=None) == timedelta(hours=24)


def test_shanghai_did_observe_dst_before_1992_which_is_why_elapsed_time_is_used() -> None:
    # 1986-1991 summers were UTC+9; the day tables start in 2004 so deadlines never meet it
    assert datetime(1988, 7, 1, 12, tzinfo=SHANGHAI).utcoffset() == timedelta(hours=9)


@settings(max_examples=50)
@given(CALENDARS, starts, st.integers(min_value=1, max_value=30))
def test_statutory_deadline_is_the_close_of_the_nth_working_day_after_the_start_day(
    cal: BusinessCalendar, s: datetime, n: int
) -> None:
    end = cal.deadline_end_of_working_day(s, n).at
    assert end.time() == cal.working_hours.closing and cal.is_working_day(end.date())
    counted = [
        s.date() + timedelta(days=i)
        for i in range(1, (end.date() - s.date()).days + 1)
        if cal.is_working_day(s.date() + timedelta(days=i))
    ]
    assert len(counted) == n


def test_property_fixture_sanity() -> None:
    assert CAL.add_working(at(2026, 9, 30, 10), 1, "working_days").at == at(2026, 10, 8, 10)
