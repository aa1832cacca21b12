"""The engine's own case events, fed to the event rule sets inside the same transaction."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.definitions.catalogue import category_labels
from engine.events.service import ingest_internal
from engine.forms.i18n import tr
from engine.org.service import unit_names
from engine.runtime.reactions import StepResult
from engine.store.models.cases import Case

# Only reported events feed the rules: cases the rules start themselves (hot spots, automatic
# emergencies) would otherwise feed back into the rules that started them.
FAMILIES = frozenset({"social_event"})


def case_event(case: Case, kind: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    """The event of a case; ``names`` adds the words rule actions write into titles (subcategory_name,
    grid_cell_name: a hot spot is named 热点：0104 市容环境·道路不洁（桂园社区第1网格）, not by codes)."""
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
            **(names or {}),
        },
    }


def _names(session: Session, case: Case) -> dict[str, str]:
    subcategory = (case.data or {}).get("subcategory") or case.category
    found: dict[str, str] = {}
    label = category_labels(session).get(str(subcategory)) if subcategory else None
    if label:
        found["subcategory_name"] = tr(label, "zh")
    unit = unit_names(session).get(case.grid_cell or "")
    if unit and unit[0]:
        found["grid_cell_name"] = unit[0]
    return found


def publish_case_event(session: Session, case: Case, kind: str) -> list[dict[str, Any]]:
    if case.family not in FAMILIES:
        return []
    return ingest_internal(session, case_event(case, kind, _names(session, case)))


def publish_on_step(session: Session, result: StepResult) -> None:
    """Reaction: a case reported (started) or closed feeds the event rule sets."""
    if result.started:
        publish_case_event(session, result.case, "case.reported")
    if result.ended:
        publish_case_event(session, result.case, "case.closed")
