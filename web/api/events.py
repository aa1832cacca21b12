"""POST /api/v1/events: external events (sensors, hotline systems) into the event rule sets."""
from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from engine.commands.events import ingest_event
from web.api.schemas import EventAcceptedSchema, EventSchema
from web.db import transaction
from web.identity import current_user

PREFIX = "/events"
blp = Blueprint("api_events", __name__, description="Event ingestion for rule sets")


@blp.post("")
@blp.arguments(EventSchema)
@blp.response(202, EventAcceptedSchema)
def ingest(body: dict[str, Any]) -> Any:
    with transaction() as session:
        actions = ingest_event(session, current_user().actor, body)
    return {"accepted": True, "actions": list(actions or [])}
