"""Correlation values: what a catch event waits for and what a message carries, as one comparable key."""
from __future__ import annotations

import json
from typing import Any

from engine.errors import InvalidInput

MAX_KEY_LENGTH = 500


def correlation_key(correlation: dict[str, Any] | None) -> str:
    """Canonical JSON (sorted keys, no spaces); "" for no correlation. Equal dicts give equal keys."""
    if not correlation:
        return ""
    if not isinstance(correlation, dict):
        raise InvalidInput("correlation must be an object of names to values", {"correlation": ["not an object"]})
    for name, value in correlation.items():
        if not isinstance(value, str | int | float | bool) or value is None:
            raise InvalidInput(f"correlation value '{name}' must be a string, number or boolean",
                               {f"correlation.{name}": ["not a plain value"]})
    key = json.dumps(correlation, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"correlation is longer than {MAX_KEY_LENGTH} characters", {"correlation": ["too long"]})
    return key
