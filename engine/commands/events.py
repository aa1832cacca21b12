"""Event command: an external event (a sensor reading, a report from another system) into the rule sets."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.events.authority import check_may_post, check_named_cases
from engine.events.batch import BatchOutcome, ingest_batch
from engine.events.loading import deployed_rulesets
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
