"""GET /api/v1/me: who the token or session belongs to."""
from __future__ import annotations

from typing import Any

from web.api.blueprint import Blueprint
from web.api.schemas import MeSchema
from web.identity import current_user

PREFIX = "/me"
blp = Blueprint("api_me", __name__, description="The signed-in user")


@blp.get("")
@blp.response(200, MeSchema)
def me() -> Any:
    user = current_user()
    return {"username": user.username, "display_name": user.display_name, "department": user.department,
            "locale": user.locale,
            "roles": [{"role": r, "scope": s} for r, s in sorted(user.actor.roles, key=lambda x: (x[0], x[1] or ""))]}
