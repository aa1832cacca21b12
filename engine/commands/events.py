"""Event command: an external event (a sensor reading, a report from another system) into the rule sets."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.events.service import ingest
from engine.org.access import Actor


def ingest_event(session: Session, actor: Actor, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Match the event against the deployed rule sets and run what their actions name; the results."""
    return ingest(session, body, actor)
