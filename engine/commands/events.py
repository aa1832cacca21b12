"""Event command: an external event (a sensor reading, a report from another system) into the rule sets."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.events.authority import check_may_post, check_named_cases
from engine.events.batch import BatchOutcome, ingest_batch
from engine.events.loading import deployed_rulesets
from engine.events.retention import PURGE_BATCH, purge_keys_before
from engine.events.service import clean_event, ingest
from engine.events.settings import ingestion_settings
from engine.org.access import Actor


def ingest_event(session: Session, actor: Actor, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Match the event against the deployed rule sets and run what their actions name; the results.

    Refused before anything runs: 422 for a malformed event, 403 when no rule set lets the actor's
    roles post its type, 404 when it names a case the actor cannot see."""
    event_type, payload, _ = clean_event(body)
    check_may_post(actor, deployed_rulesets(session), event_type)
    check_named_cases(session, actor, payload)
    return ingest(session, body, actor)


def ingest_event_batch(session: Session, actor: Actor, bodies: Any, *, skip_refused: bool = False) -> BatchOutcome:
    """A batch of events in one transaction, each applied at most once (engine.events.batch)."""
    return ingest_batch(session, actor, bodies, max_events=ingestion_settings().batch_max,
                        skip_refused=skip_refused)


def key_cutoff(now: datetime, older_than_days: int | None = None) -> datetime:
    """The instant before which idempotency keys are purged: ``older_than_days`` (default
    CASEGRID_EVENT_KEY_RETENTION_DAYS) before ``now``."""
    days = ingestion_settings().key_retention_days if older_than_days is None else older_than_days
    if days < 1:
        # A key younger than a day may still see its event redelivered (a consumer restarting after a
        # night's outage): purging it would let that event be applied twice.
        raise InvalidInput("idempotency keys are kept at least one day",
                           {"older_than": ["a whole number of days, at least 1"]})
    return now - timedelta(days=days)


def purge_event_keys(session: Session, cutoff: datetime, batch: int = PURGE_BATCH) -> int:
    """One batch of the idempotency-key purge, in the caller's transaction: up to ``batch`` keys received
    before ``cutoff``, oldest first. The caller commits and calls again until it returns 0."""
    return purge_keys_before(session, cutoff, batch)
