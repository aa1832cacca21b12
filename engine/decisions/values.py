"""FEEL value semantics used when a compiled cell compares an input with an endpoint.

FEEL is typed: ``5`` never equals ``"5"`` or ``true``, and comparing values of different kinds
is null (treated as "no match"), not an exception.  Python alone would say ``True == 1``
and raise on ``"a" < 1``, so every comparison goes through here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    return "other"


def _as_date(value: Any) -> Any:
    """Task data arrives as JSON, so a date input is usually an ISO string; read it as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).date() if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    if kind(b) == "date":
        a = _as_date(a)
    if kind(a) == "date":
        b = _as_date(b)
    return a, b


def feel_equal(a: Any, b: Any) -> bool:
    a, b = _align(a, b)
    ka, kb = kind(a), kind(b)
    if ka != kb:
        return False
    return bool(a == b)


def feel_compare(a: Any, b: Any) -> int | None:
    """-1/0/1 for ordered values of the same kind, None when FEEL would say null."""
    a, b = _align(a, b)
    ka = kind(a)
    if ka != kind(b) or ka not in ("number", "string", "date", "datetime"):
        return None
    try:
        return (a > b) - (a < b)
    except TypeError:  # e.g. naive vs aware datetimes
        return None


def read_path(context: Any, path: tuple[str, ...]) -> Any:
    """Read ``case.category`` from nested dicts (or attributes); a missing step is FEEL null."""
    current = context
    for step in path:
        if current is None:
            return None
        if type(current) is dict:  # task data: skip the ABC check below
            current = current.get(step)
        elif isinstance(current, Mapping):
            current = current.get(step)
        else:
            current = getattr(current, step, None)
    return current
