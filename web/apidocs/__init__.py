"""The rendered API reference (/api/docs): Swagger UI from web/static/vendor over /api/v1/openapi.json, for
the roles whose holders may use API tokens (the others are not offered a token, so not the reference)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from engine.org.abilities import Ability
from web.identity import ability_required
from web.nav import NavItem

bp = Blueprint("apidocs", __name__)
bp.nav_items = [  # type: ignore[attr-defined]
    NavItem("apidocs.index", "API reference", abilities=(Ability.USE_API_TOKENS,), order=80),
]


@bp.get("/api/docs")
@ability_required(Ability.USE_API_TOKENS)
def index() -> Any:
    return render_template("apidocs/index.html")


__all__ = ["bp"]
