"""The engine's own case events, fed to the event rule sets inside the same transaction."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.events.service import ingest_internal
from engine.runtime.reactions import StepResult
from engine.store.models.cases import Case

# Only reported events feed the rules: cases the rules start themselves (hot spots, automatic
# emergencies) would otherwise feed back into the rules that started them.
FAMILIES = frozenset({"social_event"})


def case_event(case: Case, kind: str) -> dict[str, Any]:
    data = case.data or {}
    return {
        "type": kind,
        "source": "engine",
        "occurred_at": (case.closed_at if kind == "case.closed" else case.opened_at) or datetime.now(UTC),
        "payload": {
            "case_id": case.id, "case_key": case.business_key, "process": case.process_key,
            "status": case.status, "category": case.category, "subcategory": data.get("subcategory") or case.category,
            "grid_cell": case.grid_cell, "street": case.street,
            "place": data.get("place") or data.get("address") or data.get("location"),
        },
    }


def publish_case_event(session: Session, case: Case, kind: str) -> list[dict[str, Any]]:
    if case.family not in FAMILIES:
        return []
    return ingest_internal(session, case_event(case, kind))


def publish_on_step(session: Session, result: StepResult) -> None:
    """Reaction: a case reported (started) or closed feeds the event rule sets."""
    if result.started:
        publish_case_event(session, result.case, "case.reported")
    if result.ended:
        publish_case_event(session, result.case, "case.closed")
