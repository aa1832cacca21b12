"""Helpers shared by the calendar tests (a uniquely named module: conftest is not importable safely)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = Path(__file__).resolve().parents[2] / "rules" / "calendar"


def at(*args: int) -> datetime:
    """An aware Asia/Shanghai datetime: at(2026, 10, 1, 9, 30)."""
    return datetime(*args, tzinfo=SHANGHAI)
