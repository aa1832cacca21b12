"""Shared fixtures: the real 2024-2026 day tables from chinese_calendar, standard hours."""

from __future__ import annotations

import pytest

from engine.calendar import BusinessCalendar, DayTable, WorkingHours, day_table_from_chinese_calendar


@pytest.fixture(scope="session")
def table_2024_2026() -> DayTable:
    return day_table_from_chinese_calendar([2024, 2025, 2026])


@pytest.fixture(scope="session")
def cal(table_2024_2026: DayTable) -> BusinessCalendar:
    """09:00-12:00 + 14:00-18:00 (7 working hours a day) over 2024-2026."""
    return BusinessCalendar(table_2024_2026, WorkingHours.standard())
