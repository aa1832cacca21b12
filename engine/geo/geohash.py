"""Geohash (base-32 interleaved latitude/longitude bits) for the indexed `cases.geohash` column.

A bounding box becomes a few prefix ranges (`covering`), each an index range scan on
(status, geohash): spatial queries need no PostGIS (docs/map-and-screen.md).
"""
from __future__ import annotations

BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
PRECISION = 9  # about 5 m x 5 m
MAX_PREFIXES = 32


def encode(latitude: float, longitude: float, precision: int = PRECISION) -> str:
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    chars: list[str] = []
    bits = 0
    value = 0
    even = True  # longitude first
    while len(chars) < precision:
        if even:
            middle = (lon_lo + lon_hi) / 2
            if longitude >= middle:
                value = value * 2 + 1
                lon_lo = middle
            else:
                value *= 2
                lon_hi = middle
        else:
            middle = (lat_lo + lat_hi) / 2
            if latitude >= middle:
                value = value * 2 + 1
                lat_lo = middle
            else:
                value *= 2
                lat_hi = middle
        even = not even
        bits += 1
        if bits == 5:
            chars.append(BASE32[value])
            bits = value = 0
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
