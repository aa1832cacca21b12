"""Where a case is: the street (and community) follow from its grid cell in the organisation.

Reporters pick a grid cell; the responsibility matrix routes by street (属地管理). Deriving the street
here, from the organisation in the database, means a report can never name a street its grid cell
does not belong to, and a redrawn district needs no process change.

A report that gives a point (`latitude`, `longitude`: picked on the map or the phone's position) gets
the grid cell that point lies in, from the district's geometry (engine.geo.shapes, shapely): the point
is what was seen on the spot, so it decides over a cell chosen in the list. A point outside every grid
cell is refused; a district without geometry keeps the chosen cell.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.geo.points import point_of
from engine.geo.shapes import CellIndex, cell_index
from engine.org.service import unit_chain
from engine.store.models.org import OrgUnit


def grid_cell_index(session: Session) -> CellIndex:
    """The grid cells' outlines as the organisation was last loaded (empty when none are drawn)."""
    rows = session.execute(select(OrgUnit.code, OrgUnit.geometry)
                           .where(OrgUnit.kind == "grid_cell", OrgUnit.geometry.is_not(None))).all()
    return cell_index({code: geometry for code, geometry in rows if geometry})


OUTSIDE = {"zh": "该位置不在本区任何网格内，请重新选点或清空经纬度后选择网格",
           "en": "This position lies outside the district's grid cells: pick another or clear it and choose a cell"}


def outside_message(lang: str) -> str:
    return OUTSIDE.get(lang, OUTSIDE["en"])


def located_cell(session: Session, latitude: float, longitude: float) -> str | None:
    """The grid cell a report giving this point gets (the map picker asks before the report is sent);
    None when the point is outside every cell or no cell is drawn."""
    index = grid_cell_index(session)
    return index.locate(longitude, latitude) if index else None


def with_located_cell(session: Session, data: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """`data` with `grid_cell` set to the cell its point lies in; unchanged without a point or geometry."""
    point = point_of(data)
    if point is None:
        return data
    index = grid_cell_index(session)
    if not index:
        return data
    latitude, longitude = point
    cell = index.locate(longitude, latitude)
    if cell is None:
        raise InvalidInput(f"the point {latitude:.6f}, {longitude:.6f} lies outside every grid cell of the district",
                           {"latitude": [outside_message(lang)]},
                           key="case.point_outside_district")
    return {**data, "grid_cell": cell}


def with_territory(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """`data` plus `street` and `community` of its `grid_cell`; unchanged when it names no grid cell."""
    cell = data.get("grid_cell")
    if not cell:
        return data
    chain = unit_chain(session, str(cell))
    if not chain or chain[0].kind != "grid_cell":
        raise InvalidInput(f"grid cell '{cell}' is not part of the organisation",
                           {"grid_cell": [f"unknown grid cell '{cell}'"]})
    found = {unit.kind: unit.code for unit in chain}
    given = data.get("street")
    if given and given != found.get("street"):
        raise InvalidInput(f"grid cell '{cell}' lies in street {found.get('street')}, not {given}",
                           {"street": [f"grid cell '{cell}' is in {found.get('street')}"]})
    out = dict(data)
    for kind in ("street", "community"):
        if kind in found:
            out[kind] = found[kind]
    return out
