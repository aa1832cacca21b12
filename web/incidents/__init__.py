"""Operator page for incidents (/incidents): cases that cannot move, with retry and cancel; and the user
steps that keep failing. Administrators and analysts act; supervisors see."""
from __future__ import annotations

from flask import Blueprint, g

from engine.incidents.access import VIEWER_ROLES
from web.nav import NavItem

bp = Blueprint("incidents", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("incidents.index", "Incidents", roles=VIEWER_ROLES, order=48),
]



@bp.app_context_processor
def _incident_context() -> dict[str, object]:
    user = g.get("user")
    return {"may_see_incidents": user is not None and user.has_any(VIEWER_ROLES)}


from web.incidents import views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
