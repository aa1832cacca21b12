"""Geometry of streets, communities and grid cells: read from a GeoJSON FeatureCollection
(rules/geometry/district.json, docs/map-and-screen.md), validated against the organisation, and used to
find the grid cell a point lies in.

Each feature carries ``properties.code`` (a street, community or grid cell of the organisation) and a
Polygon or MultiPolygon geometry in longitude/latitude (WGS 84, as GeoJSON says). The file is refused,
with a line naming the code, when a ring is not closed, a polygon is not valid, a code is unknown or
repeated, a grid cell lies outside its community or street, two grid cells overlap, or a street,
community or grid cell of the organisation has no geometry.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from shapely.validation import explain_validity

KINDS = ("street", "community", "grid_cell")
KIND_WORDS = {"street": "street", "community": "community", "grid_cell": "grid cell"}
# Float noise allowed when a cell meets its community's edge or a neighbour's, in square degrees
# (about 0.01 m² at the district's latitude): shared edges drawn with the same vertices give none.
AREA_TOLERANCE = 1e-10
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Unit:
    """What the checks need of a unit: its code, kind and parent (grid cell -> community -> street)."""

    code: str
    kind: str
    parent: str | None


def _ring_problems(label: str, rings: Any) -> list[str]:
    problems = []
    if not isinstance(rings, list) or not rings:
        return [f"{label}: a polygon needs at least one ring of [longitude, latitude] positions"]
    for number, ring in enumerate(rings, start=1):
        if not isinstance(ring, list) or len(ring) < 4 or not all(
                isinstance(p, list) and len(p) >= 2 and all(isinstance(v, int | float) for v in p[:2]) for p in ring):
            problems.append(f"{label}: ring {number} needs at least 4 [longitude, latitude] positions")
        elif ring[0][:2] != ring[-1][:2]:
            problems.append(f"{label}: ring {number} is not closed (its last position must repeat the first)")
    return problems


def _geometry_problems(label: str, geometry: Any) -> list[str]:
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        return [f"{label}: geometry must be a Polygon or MultiPolygon, not {kind}"]
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        return _ring_problems(label, coordinates)
    if not isinstance(coordinates, list) or not coordinates:
        return [f"{label}: a MultiPolygon needs at least one polygon"]
    return [p for polygon in coordinates for p in _ring_problems(label, polygon)]


def parse_geometry(text: str, units: Iterable[Unit]) -> dict[str, dict[str, Any]]:
    """code -> GeoJSON geometry for every street, community and grid cell; ValueError listing what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"geometry: not valid JSON: {exc}") from exc
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise ValueError("geometry: the file must be a GeoJSON FeatureCollection with a features list")
    by_code = {unit.code: unit for unit in units if unit.kind in KINDS}
    problems: list[str] = []
    geometries: dict[str, dict[str, Any]] = {}
    for number, feature in enumerate(document["features"], start=1):
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        code = properties.get("code") if isinstance(properties, Mapping) else None
        if not isinstance(code, str) or not code:
            problems.append(f"geometry: feature {number} has no properties.code")
            continue
        unit = by_code.get(code)
        if unit is None:
            problems.append(f"geometry: {code} (feature {number}) is not a street, community or grid cell "
                            "of the organisation")
            continue
        label = f"geometry: {KIND_WORDS[unit.kind]} {code}"
        if code in geometries:
            problems.append(f"{label}: drawn twice (features list it more than once)")
            continue
        found = _geometry_problems(label, feature.get("geometry"))
        if not found:
            polygon = shape(feature["geometry"])
            if not polygon.is_valid:
                found.append(f"{label}: not a valid polygon ({explain_validity(polygon)})")
        problems += found
        if not found:
            geometries[code] = dict(feature["geometry"])
    missing = sorted(code for code in by_code if code not in geometries and not any(
        p.startswith(f"geometry: {KIND_WORDS[by_code[code].kind]} {code}:") for p in problems))
    for code in missing:
        problems.append(f"geometry: {KIND_WORDS[by_code[code].kind]} {code} has no geometry")
    if not problems:
        problems += _nesting_problems(geometries, by_code)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        raise ValueError("; ".join(shown) + (f"; and {more} more" if more else ""))
    return geometries


def _outside(inner: BaseGeometry, outer: BaseGeometry) -> bool:
    return inner.difference(outer).area > AREA_TOLERANCE


def _nesting_problems(geometries: Mapping[str, Mapping[str, Any]], units: Mapping[str, Unit]) -> list[str]:
    shapes = {code: shape(geometry) for code, geometry in geometries.items()}
    problems = []
    cells = sorted(code for code, unit in units.items() if unit.kind == "grid_cell")
    for code in cells:
        community = units[code].parent
        street = units[community].parent if community in units else None
        for kind, parent in (("community", community), ("street", street)):
            if parent in shapes and _outside(shapes[code], shapes[parent]):
                problems.append(f"geometry: grid cell {code} lies partly outside its {kind} {parent}")
    tree = STRtree([shapes[code] for code in cells])
    for index, code in enumerate(cells):
        for other in tree.query(shapes[code]):
            if other > index and shapes[code].intersection(shapes[cells[other]]).area > AREA_TOLERANCE:
                problems.append(f"geometry: grid cells {code} and {cells[other]} overlap")
    return problems


class CellIndex:
    """Find the grid cell a point lies in (a point on a shared edge goes to the first code)."""

    def __init__(self, cells: Mapping[str, Mapping[str, Any]]) -> None:
        self.codes = sorted(cells)
        self.shapes = [shape(cells[code]) for code in self.codes]
        for polygon in self.shapes:
            shapely.prepare(polygon)
        self.tree = STRtree(self.shapes)
        self._spot_cache: dict[str, list[tuple[float, float]]] = {}

    def __bool__(self) -> bool:
        return bool(self.codes)

    def locate(self, longitude: float, latitude: float) -> str | None:
        point = Point(longitude, latitude)
        hits = sorted(int(i) for i in self.tree.query(point))
        for index in hits:
            if self.shapes[index].covers(point):
                return self.codes[index]
        return None

    def anchor(self, code: str, n: int = 0) -> tuple[float, float] | None:
        """A point inside the cell (longitude, latitude), where cases without a point of their own are drawn:
        the n-th of a few spread over the cell (n = 0 is its representative point), so that many such cases
        do not hide behind one mark."""
        if code not in self.codes:
            return None
        spots = self._spots(code)
        return spots[n % len(spots)]

    def _spots(self, code: str) -> list[tuple[float, float]]:
        cached = self._spot_cache.get(code)
        if cached is None:
            polygon = self.shapes[self.codes.index(code)]
            middle = polygon.representative_point()
            west, south, east, north = polygon.bounds
            steps = 6
            lattice = [Point(west + (east - west) * (i + 0.5) / steps, south + (north - south) * (j + 0.5) / steps)
                       for j in range(steps) for i in range(steps)]
            inside = [(p.x, p.y) for p in lattice if polygon.buffer(-(east - west) / 40).covers(p)]
            cached = [(middle.x, middle.y), *inside[::-1][::2], *inside[::-1][1::2]]
            self._spot_cache[code] = cached
        return cached


@lru_cache(maxsize=8)
def _index_for(frozen: tuple[tuple[str, str], ...]) -> CellIndex:
    return CellIndex({code: json.loads(text) for code, text in frozen})


def cell_index(cells: Mapping[str, Mapping[str, Any]]) -> CellIndex:
    """A CellIndex, kept while the geometry stays the same (the organisation changes on deploy only)."""
    return _index_for(tuple(sorted((code, json.dumps(g, sort_keys=True)) for code, g in cells.items())))


def bounds(geometries: Iterable[Mapping[str, Any]]) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around every geometry, or None when there is none."""
    shapes = [shape(g) for g in geometries]
    if not shapes:
        return None
    west, south, east, north = shapely.union_all(shapes).bounds
    return west, south, east, north
