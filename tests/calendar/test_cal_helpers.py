"""Sandbox helpers: plain functions bound to a replaceable default calendar."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from calendar_support import at

import engine.calendar as calendar
from engine.calendar import BusinessCalendar, DayTable, WorkingHours


@pytest.fixture
def installed(cal: BusinessCalendar) -> Iterator[BusinessCalendar]:
    calendar.set_default_calendar(cal)
    yield cal
    calendar.set_default_calendar(None)


def test_helpers_use_the_installed_default_calendar(installed: BusinessCalendar) -> None:
    assert calendar.default_calendar() is installed
    assert calendar.add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)
    assert calendar.add_working_hours(at(2026, 9, 30, 17), 2) == at(2026, 10, 8, 10)
    assert calendar.working_days_between(at(2026, 9, 30, 10), at(2026, 10, 10, 10)) == 3
    assert calendar.working_hours_between(at(2026, 9, 30, 17), at(2026, 10, 8, 10)) == 2
    assert calendar.statutory_deadline(at(2026, 9, 30, 10), 5) == at(2026, 10, 13, 18)


def test_replacing_the_default_changes_the_helpers(installed: BusinessCalendar) -> None:
    weekends_only = BusinessCalendar(DayTable([2026]), WorkingHours.standard())
    calendar.set_default_calendar(weekends_only)
    assert calendar.add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 1, 10)
    assert calendar.SANDBOX_HELPERS["is_working_day"](date(2026, 10, 1))


def test_fallback_default_covers_every_chinese_calendar_year() -> None:
    calendar.set_default_calendar(None)
    fallback = calendar.default_calendar()
    assert set(calendar.supported_years()) == fallback.day_table.years
    assert fallback.working_hours == WorkingHours.standard()
    assert fallback.tz.key == "Asia/Shanghai"


def test_register_sandbox_helpers_hands_every_helper_to_the_registrar() -> None:
    seen: dict[str, Callable[..., Any]] = {}
    calendar.register_sandbox_helpers(lambda name, fn: seen.__setitem__(name, fn))
    assert set(seen) == {
        "add_working_days",
        "add_working_hours",
        "working_days_between",
        "working_hours_between",
        "statutory_deadline",
        "is_working_day",
    }


def test_engine_calendar_never_imports_flask_nor_a_database() -> None:
    package = Path(calendar.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not imported & {"flask", "sqlalchemy", "sqlite3", "psycopg"}, source.name


def test_helpers_register_with_the_sandbox_registry() -> None:
    sandbox = pytest.importorskip("engine.sandbox")
    for name in calendar.SANDBOX_HELPERS:
        sandbox.unregister_helper(name)
    try:
        calendar.register_sandbox_helpers(sandbox.register_helper)
        described = str(sandbox.describe_helpers())
        assert "add_working_days" in described and "statutory_deadline" in described
    finally:
        # Leave the registry as the engine boots it (engine/sandbox/helpers.py registers these once).
        calendar.register_sandbox_helpers(lambda name, fn: sandbox.register_helper(name, fn, replace=True))
