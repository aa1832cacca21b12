"""Case points are indexed by geohash: the well-known encoding, and boxes covered by prefix ranges."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.geo.geohash import MAX_PREFIXES, covering, encode


def test_the_encoding_is_the_standard_geohash() -> None:
    assert encode(42.6, -5.6, 5) == "ezs42"
    assert encode(57.64911, 10.40744, 11) == "u4pruydqqvj"


@settings(max_examples=60, deadline=None)
@given(st.floats(22.50, 22.60), st.floats(114.05, 114.20), st.floats(0.0001, 0.05), st.floats(0.0001, 0.05),
       st.floats(0, 1), st.floats(0, 1))
def test_every_point_inside_a_box_starts_with_one_of_its_covering_prefixes(south, west, height, width, fy, fx):
    north, east = south + height, west + width
    prefixes = covering(south, west, north, east)
    assert 1 <= len(prefixes) <= MAX_PREFIXES
    point = encode(south + fy * height, west + fx * width)
    assert any(point.startswith(prefix) for prefix in prefixes)
