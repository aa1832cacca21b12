"""Operator page for incidents (/incidents): cases that cannot move, with retry and cancel; and the user
steps that keep failing. Roles that may operate_incidents act; see_incidents only see (engine.incidents.access)."""
from __future__ import annotations

from flask import Blueprint, g

from engine.incidents.access import VIEWING
from web.nav import NavItem

bp = Blueprint("incidents", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("incidents.index", "Incidents", abilities=VIEWING, order=48),
]



@bp.app_context_processor
def _incident_context() -> dict[str, object]:
    user = g.get("user")
    return {"may_see_incidents": user is not None and user.may_any(VIEWING)}


from web.incidents import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
