"""The bulletins page (/bulletins): bulletins (通报) produced by the worker or on demand, with their PDF and
XLSX; for roles that may see_bulletins, and a form to produce one for roles that may publish_bulletins."""
from __future__ import annotations

from flask import Blueprint

from engine.org.abilities import Ability
from web.nav import NavItem

bp = Blueprint("bulletins", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("bulletins.index", "Bulletins", abilities=(Ability.SEE_BULLETINS,), order=46),
]

from web.bulletins import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
