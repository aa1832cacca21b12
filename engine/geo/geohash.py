"""Geohash (base-32 interleaved latitude/longitude bits) for the indexed `cases.geohash` column.

A bounding box becomes a few prefix ranges (`covering`), each an index range scan on
(status, geohash): spatial queries need no PostGIS (docs/map-and-screen.md).
"""
from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
PRECISION = 9  # about 5 m x 5 m
MAX_PREFIXES = 32


def encode(latitude: float, longitude: float, precision: int = PRECISION) -> str:
    # Bits alternate between the two axes, longitude first; each halves that axis's interval.
    intervals = [[-180.0, 180.0], [-90.0, 90.0]]
    coordinates = (longitude, latitude)
    chars: list[str] = []
    value = 0
    for bit in range(5 * precision):
        interval = intervals[bit % 2]
        middle = (interval[0] + interval[1]) / 2
        upper = coordinates[bit % 2] >= middle
        value = value * 2 + upper
        interval[0 if upper else 1] = middle
        if bit % 5 == 4:
            chars.append(BASE32[value])
            value = 0
    return "".join(chars)


def cell_size(precision: int) -> tuple[float, float]:
    """(height in degrees of latitude, width in degrees of longitude) of a geohash cell."""
    lon_bits = (5 * precision + 1) // 2
    lat_bits = 5 * precision // 2
    return 180.0 / 2 ** lat_bits, 360.0 / 2 ** lon_bits


def covering(south: float, west: float, north: float, east: float) -> list[str]:
    """Geohash prefixes whose cells together cover the box: the longest precision that needs at most
    MAX_PREFIXES of them (a box larger than the world's first cells gets ['']: everything)."""
    for precision in range(PRECISION, 0, -1):
        height, width = cell_size(precision)
        rows = int((north - south) / height) + 2
        cols = int((east - west) / width) + 2
        if rows * cols > MAX_PREFIXES * 4:
            continue
        found: set[str] = set()
        lat = south
        while lat <= north + height:
            lon = west
            while lon <= east + width:
                found.add(encode(min(max(lat, -90.0), 90.0), min(max(lon, -180.0), 179.999999), precision))
                lon += width
            lat += height
        if len(found) <= MAX_PREFIXES:
            return sorted(found)
    return [""]


def prefix_end(prefix: str) -> str:
    """The first string after every geohash starting with `prefix` ('~' sorts after the alphabet)."""
    return prefix + "~"
