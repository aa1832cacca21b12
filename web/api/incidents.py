"""Incidents: list, retry, cancel (engine.commands.incidents)."""
from __future__ import annotations

from typing import Any

from engine.commands.incidents import cancel_incident, raise_if_failed, retry_incident
from engine.incidents.access import require_view
from engine.incidents.service import list_incidents
from engine.store.models.incidents import IncidentStatus
from web.api.blueprint import Blueprint
from web.api.schemas import IncidentCancelSchema, IncidentQuerySchema, IncidentSchema, page, page_of
from web.db import transaction
from web.identity import current_user

PREFIX = "/incidents"
blp = Blueprint("api_incidents", __name__, description="Incidents: cases that cannot move; retry and cancel")


def _row(session: Any, incident_id: int) -> Any:
    rows, _total = list_incidents(session, incident_id=incident_id)
    return rows[0]


@blp.get("")
@blp.arguments(IncidentQuerySchema, location="query")
@blp.response(200, page_of(IncidentSchema))
def list_all(args: dict[str, Any]) -> Any:
    """Newest first. Administrators, analysts and supervisors (403 for others)."""
    with transaction(readonly=True) as session:
        require_view(current_user().actor)
        status = IncidentStatus(args["status"]) if args["status"] else None
        rows, total = list_incidents(session, status=status, case_id=args["case_id"], blocking=args["blocking"],
                                     limit=args["limit"], offset=args["offset"])
    return page(rows, total, args)


@blp.post("/<int(max=2147483647):incident_id>/retry")
@blp.response(200, IncidentSchema)
def retry(incident_id: int) -> Any:
    """Fire the failed step again with the case's current definition. 403 unless administrator or
    analyst, 404 unknown, 409 not open; 422 `retry_failed` when it fails again (the attempt is recorded)."""
    with transaction() as session:
        result = retry_incident(session, current_user().actor, incident_id)
    raise_if_failed(result)
    with transaction(readonly=True) as session:
        return _row(session, incident_id)


@blp.post("/<int(max=2147483647):incident_id>/cancel")
@blp.arguments(IncidentCancelSchema)
@blp.response(200, IncidentSchema)
def cancel(body: dict[str, Any], incident_id: int) -> Any:
    """Cancel the case the incident blocks (a failed user action is only dismissed); a reason is required."""
    with transaction() as session:
        cancel_incident(session, current_user().actor, incident_id, body["reason"])
        return _row(session, incident_id)
