"""Analyst studio: process definitions and versions, the BPMN modeler, decision tables, forms, validate, deploy.

Only holders of a role that may model_processes enter (checked for the whole blueprint, before any view runs).
"""
from __future__ import annotations

from flask import Blueprint

from engine.org.abilities import Ability
from engine.org.access import require_ability
from web.identity import current_user
from web.nav import NavItem

bp = Blueprint("studio", __name__, url_prefix="/studio")
bp.nav_items = [NavItem("studio.index", "Studio", abilities=(Ability.MODEL_PROCESSES,), order=70)]  # type: ignore[attr-defined]


@bp.before_request
def _modellers_only() -> None:
    require_ability(current_user().actor, Ability.MODEL_PROCESSES)


from web.studio import api, migration, scenarios, views  # noqa: E402,F401  (routes register on bp)

__all__ = ["bp"]
