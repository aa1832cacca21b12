"""Tolerant lookups over JSON-like task data.

Form fields are often absent or null; these helpers let a condition say what
it means without guarding every access.  They only ever index dicts and lists
— never getattr — so they cannot be used to reach object internals.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from engine.errors import StepRefused


def contains(container: Any, item: Any) -> bool:
    """True when item is in container (list, dict keys or substring); False when container is None."""
    if container is None:
        return False
    try:
        return item in container
    except TypeError:
        # e.g. `3 in "abc"`: a mismatch of types is "not contained" for a condition.
        return False


def get(data: Any, key: Any, default: Any = None) -> Any:
    """data[key], or default when missing; key may be a list of keys for a nested path."""
    path = list(key) if isinstance(key, (list, tuple)) else [key]
    current = data
    for step in path:
        current = _step(current, step)
        if current is _MISSING:
            return default
    return current


_MISSING = object()


def _step(current: Any, key: Any) -> Any:
    if isinstance(current, Mapping):
        return current.get(key, _MISSING)
    if isinstance(current, Sequence) and not isinstance(current, (str, bytes)) and isinstance(key, int):
        try:
            return current[key]
        except IndexError:
            return _MISSING
    return _MISSING


def refuse(field: str, message: str, en: str | None = None) -> NoReturn:
    """Refuse the user's submission: message (Chinese) next to form field `field`; the case is unchanged."""
    text = str(message)
    raise StepRefused(str(en or text), {str(field): [text]}, key="step.refused", params={"message": text})
