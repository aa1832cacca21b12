"""The audit trail of a case."""
from __future__ import annotations

from typing import Any

from engine.cases.history import case_history_page
from web.api.blueprint import Blueprint
from web.api.schemas import AuditEventSchema, AuditQuerySchema, page, page_of
from web.db import transaction
from web.identity import current_user

PREFIX = "/audit"
blp = Blueprint("api_audit", __name__, description="Audit trail")


@blp.get("")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, page_of(AuditEventSchema))
def trail(args: dict[str, Any]) -> Any:
    with transaction(readonly=True) as session:
        rows, total = case_history_page(session, args["case_id"], current_user().actor, args["limit"], args["offset"])
    return page(rows, total, args)
