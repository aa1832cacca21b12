"""Analyst studio: process definitions and versions, the BPMN modeler, decision tables, forms, validate, deploy.

Only analysts and admins enter (checked for the whole blueprint, before any view runs).
"""
from __future__ import annotations

from flask import Blueprint

from engine.errors import Forbidden
from web.identity import ANALYST_ROLES, current_user
from web.nav import NavItem

bp = Blueprint("studio", __name__, url_prefix="/studio")
bp.nav_items = [NavItem("studio.index", "Studio", roles=ANALYST_ROLES, order=70)]  # type: ignore[attr-defined]


@bp.before_request
def _analysts_only() -> None:
    if not current_user().has_any(ANALYST_ROLES):
        raise Forbidden("the studio is for analysts")


from web.studio import api, migration, scenarios, views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
