"""The district at a glance: the case map (/map, 一图感知) for the roles that may `see_map`, and the
operations-centre wall screen (/screen, 一屏) for those with `operations_screen` (docs/map-and-screen.md)."""
from __future__ import annotations

from flask import Blueprint

from engine.org.abilities import Ability
from web.nav import NavItem

bp = Blueprint("situation", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("situation.case_map", "Map", abilities=(Ability.SEE_MAP,), order=41),
    NavItem("situation.screen", "Operations screen", abilities=(Ability.OPERATIONS_SCREEN,), order=42),
]

from web.situation import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
