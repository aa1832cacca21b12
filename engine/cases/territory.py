"""Where a case is: the street (and community) follow from its grid cell in the organisation.

Reporters pick a grid cell; the responsibility matrix routes by street (属地管理). Deriving the street
here, from the organisation in the database, means a report can never name a street its grid cell
does not belong to, and a redrawn district needs no process change.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.org.service import unit_chain


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
