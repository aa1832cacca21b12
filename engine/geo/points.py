"""A point given in a case's data: `latitude` and `longitude` (WGS 84 degrees), both or neither."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def point_of(data: Mapping[str, Any]) -> tuple[float, float] | None:
    """(latitude, longitude) when both are numbers in range; None otherwise (no point, or a bad one the
    form's own validation words)."""
    latitude, longitude = _number(data.get("latitude")), _number(data.get("longitude"))
    if latitude is None or longitude is None or not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        return None
    return latitude, longitude
