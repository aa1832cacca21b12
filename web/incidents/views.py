"""Incident handlers: parse, one command in one transaction, flash what happened, back to the page."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from marshmallow import fields, validate

from engine.commands.incidents import cancel_incident, retry_incident
from engine.errors import InvalidInput
from engine.incidents.access import VIEWING, may_operate
from engine.incidents.service import list_incidents
from engine.store.models.incidents import IncidentStatus
from web.db import transaction
from web.i18n import _
from web.identity import ability_required, current_user
from web.incidents import bp
from web.lenient import LenientSchema, load_input, page_field, page_offset

PAGE_SIZE = 50


class IncidentPageQuery(LenientSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved", "cancelled", "all")))
    page = page_field()


class CancelInput(LenientSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


def _back() -> Any:
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("incidents.index")
    return redirect(target)


@bp.get("/incidents")
@ability_required(*VIEWING)
def index() -> Any:
    args = load_input(IncidentPageQuery(), request.args.to_dict())
    status = None if args["status"] == "all" else IncidentStatus(args["status"])
    offset = page_offset(args["page"], PAGE_SIZE)
    with transaction(readonly=True) as session:
        blocking, total = list_incidents(session, status=status, blocking=True, limit=PAGE_SIZE, offset=offset)
        failed_actions, failed_total = list_incidents(session, status=status, blocking=False, limit=PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render_template("incidents/index.html", incidents=blocking, total=total, page=args["page"], pages=pages,
                           failed_actions=failed_actions, failed_total=failed_total, status=args["status"],
                           may_operate=may_operate(current_user().actor))


@bp.post("/incidents/<int(max=2147483647):incident_id>/retry")
@ability_required(*VIEWING)
def retry(incident_id: int) -> Any:
    with transaction() as session:
        result = retry_incident(session, current_user().actor, incident_id)
    if result.resolved:
        flash(_("Retried: the case moves on and the incident is resolved."))
    else:
        # The failed attempt is committed above; the operator reads the new error here and on the list.
        flash(_("The retry failed again (attempt {n}): {error}", n=result.attempts, error=result.error or ""))
    return _back()


@bp.post("/incidents/<int(max=2147483647):incident_id>/cancel")
@ability_required(*VIEWING)
def cancel(incident_id: int) -> Any:
    try:
        data = load_input(CancelInput(), request.form.to_dict())
    except InvalidInput:
        flash(_("Give a reason to cancel."))
        return _back()
    with transaction() as session:
        cancel_incident(session, current_user().actor, incident_id, data["reason"])
    flash(_("Cancelled."))
    return _back()
