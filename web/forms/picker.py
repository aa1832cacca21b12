"""The map picker of a form that asks for a point (latitude and longitude fields): what the form template
needs to draw it. Built by the web layer (web.maps.report_picker), which knows the district and the URLs;
rendering stays free of Flask."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MapPicker:
    data: dict[str, Any]  # {"outlines": web.maps.outlines_json(...), "tiles": TileLayer.payload() or None}
    locate_url: str  # answers which grid cell a point lies in, as the server will derive it on submit
    scripts: tuple[str, ...] = field(default_factory=tuple)  # ECharts and the map scripts, in load order
    attribution: str = ""  # the tile provider's text, shown under the map when tiles are drawn
