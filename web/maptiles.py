"""An optional tile server under the district's outlines (docs/map-and-screen.md).

No tile server is assumed: districts run on closed networks, and the map and the report form's picker
draw the district's own outlines only. An operator may name one (an intranet 时空信息平台, say):

    CASEGRID_MAP_TILE_URL          https://tiles.example.gov.cn/{z}/{x}/{y}.png (or a path on this site)
    CASEGRID_MAP_TILE_ATTRIBUTION  the text the tile provider asks to show under the map
    CASEGRID_MAP_TILE_MAX_ZOOM     the deepest zoom level the server has (default 18)

A bad value is refused when the app starts (InvalidInput: `casegrid serve` prints one line and stops),
not at the first page that draws a map. The tile host is the only other host a page may then load
images from (`map_policy`, the Content-Security-Policy of the pages that draw the map).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from engine.errors import InvalidInput

URL_VAR = "CASEGRID_MAP_TILE_URL"
ATTRIBUTION_VAR = "CASEGRID_MAP_TILE_ATTRIBUTION"
MAX_ZOOM_VAR = "CASEGRID_MAP_TILE_MAX_ZOOM"
PLACEHOLDERS = ("{z}", "{x}", "{y}")
DEFAULT_MAX_ZOOM = 18
MAX_ATTRIBUTION = 300
_BRACED = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class TileLayer:
    url: str  # with {z}, {x} and {y}
    attribution: str
    max_zoom: int
    origin: str  # scheme://host[:port] of the tile server; "" when the tiles are served from this site

    def payload(self) -> dict[str, Any]:
        """What the pages' scripts need (web/static/js/map-tiles.js)."""
        return {"url": self.url, "maxZoom": self.max_zoom}


def _refuse(variable: str, message: str) -> InvalidInput:
    return InvalidInput(f"{variable}: {message}")  # one line: `casegrid serve` prints it and stops


def _url(raw: str) -> tuple[str, str]:
    """(url, origin) of an acceptable tile URL template."""
    missing = [p for p in PLACEHOLDERS if p not in raw]
    if missing:
        raise _refuse(URL_VAR, f"the tile URL must contain {{z}}, {{x}} and {{y}} (missing {', '.join(missing)}), "
                               "e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png")
    unknown = sorted(set(_BRACED.findall(raw)) - set(PLACEHOLDERS))
    if unknown:
        hint = " (for {s} subdomains, name one of the hosts)" if "{s}" in unknown else ""
        raise _refuse(URL_VAR, f"only {{z}}, {{x}} and {{y}} are filled in; {', '.join(unknown)} would be requested "
                               f"as written{hint}")
    if any(c.isspace() or c in "\"'<>\\" for c in raw):
        raise _refuse(URL_VAR, "the tile URL may not contain spaces, quotes, angle brackets or backslashes")
    if raw.startswith("/") and not raw.startswith("//"):
        return raw, ""  # tiles proxied through this site: nothing to allow beyond it
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(URL_VAR, "the tile URL must start with http:// or https:// and name a host "
                               "(or be a path on this site starting with /)")
    if _BRACED.search(parts.netloc):
        raise _refuse(URL_VAR, "the host of the tile URL must be fixed: put {z}, {x} and {y} in its path or query")
    return raw, f"{parts.scheme}://{parts.netloc}"


def _max_zoom(raw: str) -> int:
    if not raw.strip():
        return DEFAULT_MAX_ZOOM
    try:
        zoom = int(raw)
    except ValueError:
        zoom = -1
    if not 0 <= zoom <= 22:
        raise _refuse(MAX_ZOOM_VAR, f"must be a whole number from 0 to 22, not {raw!r}")
    return zoom


def tile_layer_from(env: Mapping[str, str]) -> TileLayer | None:
    """The configured tile layer, or None when CASEGRID_MAP_TILE_URL is unset (the default)."""
    raw = env.get(URL_VAR, "").strip()
    if not raw:
        return None
    url, origin = _url(raw)
    attribution = " ".join(env.get(ATTRIBUTION_VAR, "").split())
    if len(attribution) > MAX_ATTRIBUTION:
        raise _refuse(ATTRIBUTION_VAR, f"at most {MAX_ATTRIBUTION} characters")
    return TileLayer(url, attribution, _max_zoom(env.get(MAX_ZOOM_VAR, "")), origin)


def map_policy(tiles: TileLayer | None) -> str:
    """The Content-Security-Policy of a page that draws the district map: scripts, styles and requests
    from this site only, images from this site (and the tile server when one is configured)."""
    images = " ".join(["'self'", "data:", "blob:", *([tiles.origin] if tiles and tiles.origin else [])])
    return (f"default-src 'self'; img-src {images}; style-src 'self' 'unsafe-inline'; object-src 'none'; "
            "base-uri 'self'; frame-ancestors 'self'")
