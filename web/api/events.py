"""POST /api/v1/events and /events/batch: external events (sensors, hotline systems) into the event rule sets."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from engine.commands.events import ingest_event, ingest_event_batch
from web.api.blueprint import Blueprint
from web.api.schemas import EventAcceptedSchema, EventSchema, _In
from web.db import transaction
from web.identity import current_user

PREFIX = "/events"
blp = Blueprint("api_events", __name__, description="Event ingestion for rule sets")


class EventBatchSchema(_In):
    events = fields.List(fields.Raw(), required=True, metadata={
        "description": "the events, each as for POST /events plus an optional `id` (idempotency key, 1-100 "
                       "characters); at most CASEGRID_EVENTS_BATCH_MAX (default 1000) per request"})


class EventOutcomeSchema(Schema):
    status = fields.String(required=True, metadata={"description": "applied | duplicate"})
    key = fields.String(required=True)
    actions = fields.List(fields.Dict(), load_default=list)


class EventBatchAcceptedSchema(Schema):
    applied = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    events = fields.List(fields.Nested(EventOutcomeSchema), required=True)


@blp.post("")
@blp.arguments(EventSchema)
@blp.response(202, EventAcceptedSchema)
def ingest(body: dict[str, Any]) -> Any:
    with transaction() as session:
        actions = ingest_event(session, current_user().actor, body)
    return {"accepted": True, "actions": list(actions or [])}


@blp.post("/batch")
@blp.arguments(EventBatchSchema)
@blp.response(202, EventBatchAcceptedSchema)
def ingest_batch(body: dict[str, Any]) -> Any:
    """Apply up to CASEGRID_EVENTS_BATCH_MAX events in one transaction, each at most once (by its `id`).

    All or nothing: a malformed event (422, each problem named `events.<index>.<field>`), a type the
    caller may not post (403) or a case it cannot see (404) refuses the whole batch, and nothing changes.
    An event whose key was applied before is reported as `duplicate` and applied no second time."""
    with transaction() as session:
        outcome = ingest_event_batch(session, current_user().actor, body["events"])
    return {"applied": outcome.applied, "duplicates": outcome.duplicates, "events": outcome.outcomes}
