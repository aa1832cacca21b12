"""The district's outlines are configuration, checked when the organisation is read: every refusal names
the code it is about, and nothing half-drawn is loaded."""
from __future__ import annotations

import json
from typing import Any

import pytest

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.geo.shapes import Unit, cell_index, parse_geometry
from engine.org.config import GEOMETRY_FILE, ORGANISATION_FILE, organisation_from_files

UNITS = [Unit("S1", "street", None), Unit("C1", "community", "S1"), Unit("G1", "grid_cell", "C1"),
         Unit("G2", "grid_cell", "C1"), Unit("dept", "department", None)]


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def district(**changes: dict[str, Any] | None) -> dict[str, dict[str, Any] | None]:
    """A street and a community of 2x1, cut into two cells of 1x1; `changes` replaces or (None) removes one."""
    shapes: dict[str, dict[str, Any] | None] = {"S1": square(0, 0, 2, 1), "C1": square(0, 0, 2, 1),
                                                 "G1": square(0, 0, 1, 1), "G2": square(1, 0, 2, 1)}
    shapes.update(changes)
    return shapes


def collection(shapes: dict[str, dict[str, Any] | None]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
        for code, geometry in shapes.items() if geometry is not None]})


def refusal(text: str) -> str:
    with pytest.raises(ValueError) as refused:
        parse_geometry(text, UNITS)
    return str(refused.value)


def test_a_district_whose_cells_tile_their_community_and_street_is_accepted() -> None:
    assert set(parse_geometry(collection(district()), UNITS)) == {"S1", "C1", "G1", "G2"}


def test_a_file_that_is_not_a_feature_collection_is_refused() -> None:
    assert "FeatureCollection" in refusal(json.dumps({"type": "Feature"}))
    assert "not valid JSON" in refusal("{")


def test_a_feature_naming_no_unit_of_the_organisation_is_refused_by_its_code() -> None:
    text = collection({**district(), "G9": square(5, 5, 6, 6)})
    assert "G9 (feature 5) is not a street, community or grid cell of the organisation" in refusal(text)


def test_a_department_has_no_outline() -> None:
    assert "dept (feature 5) is not a street, community or grid cell" in refusal(
        collection({**district(), "dept": square(5, 5, 6, 6)}))


def test_a_ring_that_is_not_closed_is_refused_naming_the_cell() -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    assert "grid cell G1: ring 1 is not closed" in refusal(collection(district(G1=open_ring)))


def test_a_ring_of_fewer_than_four_positions_is_refused() -> None:
    triangle_unclosed = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}
    assert "grid cell G1: ring 1 needs at least 4" in refusal(collection(district(G1=triangle_unclosed)))


def test_a_geometry_that_is_not_a_polygon_is_refused() -> None:
    assert "grid cell G2: geometry must be a Polygon or MultiPolygon, not Point" in refusal(
        collection(district(G2={"type": "Point", "coordinates": [1.5, 0.5]})))


def test_a_self_crossing_polygon_is_refused_as_not_valid() -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert "grid cell G1: not a valid polygon (Self-intersection" in refusal(collection(district(G1=bow_tie)))


def test_a_cell_reaching_outside_its_community_is_refused() -> None:
    text = collection(district(C1=square(0, 0, 1.5, 1)))
    assert "grid cell G2 lies partly outside its community C1" in refusal(text)


def test_a_cell_reaching_outside_its_street_is_refused() -> None:
    text = collection(district(S1=square(0, 0, 1.5, 1)))
    assert "grid cell G2 lies partly outside its street S1" in refusal(text)


def test_two_cells_that_overlap_are_refused_naming_both() -> None:
    text = collection(district(G2=square(0.5, 0, 2, 1)))
    assert "grid cells G1 and G2 overlap" in refusal(text)


def test_cells_that_only_share_an_edge_do_not_overlap() -> None:
    parse_geometry(collection(district()), UNITS)


def test_a_cell_of_the_organisation_without_an_outline_is_refused() -> None:
    assert "grid cell G2 has no geometry" in refusal(collection(district(G2=None)))


def test_a_unit_drawn_twice_is_refused() -> None:
    features = json.loads(collection(district()))
    features["features"].append(features["features"][-1])
    assert "grid cell G2: drawn twice" in refusal(json.dumps(features))


def test_the_shipped_district_is_drawn_whole_and_passes_every_check() -> None:
    org = organisation_from_files(load_root(PROJECT_ROOT).files)
    territory = [u for u in org.units.values() if u.kind in ("street", "community", "grid_cell")]
    assert territory and all(u.geometry for u in territory)


def test_deploying_a_broken_outline_is_a_problem_line_naming_the_code() -> None:
    files = load_root(PROJECT_ROOT).files
    broken = json.loads(files[GEOMETRY_FILE])
    broken["features"] = [f for f in broken["features"] if f["properties"]["code"] != "S03C02G01"]
    problems, _ = validate_bundle(Bundle({**files, GEOMETRY_FILE: json.dumps(broken)}))
    [problem] = [p for p in problems if p.file == ORGANISATION_FILE]
    assert "grid cell S03C02G01 has no geometry" in problem.message


def test_a_point_finds_the_cell_it_lies_in_and_none_outside() -> None:
    cells = {code: g for code, g in district().items() if code.startswith("G") and g is not None}
    index = cell_index(cells)
    assert index.locate(0.5, 0.5) == "G1" and index.locate(1.7, 0.2) == "G2"
    assert index.locate(1.0, 0.5) == "G1"  # on the shared edge: the first code, always the same
    assert index.locate(3, 3) is None
    spots = {index.anchor("G2", n) for n in range(40)}
    assert len(spots) > 5 and all(index.locate(*spot) == "G2" for spot in spots if spot)  # spread, all inside
