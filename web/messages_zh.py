"""Chinese for every UI source string (English). Keep entries sorted by area; tests check coverage."""
from __future__ import annotations

ZH: dict[str, str] = {}
