"""Time limits: the overview per department or step, overdue work, urging and extension decisions.

For roles that may use the dashboard; the departments shown are those the roles oversee (supervisors
and admins every department, a department head their own).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import Schema, fields, validate

from engine.commands.supervision import decide_extension, urge
from engine.dashboard.scope import departments_in_scope
from engine.org.abilities import Ability
from engine.sla.queries import department_overview, overdue_items, step_overview
from web.api.blueprint import Blueprint
from web.api.schemas import PageArgs, _In, page, page_of
from web.db import transaction
from web.identity import CurrentUser, ability_required, current_user

PREFIX = "/sla"
blp = Blueprint("api_sla", __name__, description="Time limits: overview, overdue work, urging, extensions")


class OverviewRowSchema(Schema):
    key = fields.String(allow_none=True, required=True,
                        metadata={"description": "department code, or process_key:task for steps"})
    label = fields.String(allow_none=True, required=True)
    open = fields.Integer(required=True)
    at_risk = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    paused = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    closed_with_limit = fields.Integer(required=True)
    closed_on_time = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True, required=True)


class OverviewArgs(PageArgs):
    group_by = fields.String(load_default="department", validate=validate.OneOf(("department", "step")))
    since = fields.AwareDateTime(load_default=None, metadata={"description": "period start (default: 30 days ago)"})
    until = fields.AwareDateTime(load_default=None, metadata={"description": "period end (default: now)"})
    process_key = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


class OverdueSchema(Schema):
    work_item_id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    task_spec = fields.String(required=True)
    task_name = fields.String(required=True)
    department = fields.String(allow_none=True, required=True)
    assignee = fields.String(allow_none=True, required=True)
    due_at = fields.DateTime(required=True)
    sla_state = fields.String(required=True)


class UrgeSchema(_In):
    message = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class UrgingSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)


class DecisionSchema(_In):
    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ExtensionOutSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    status = fields.String(required=True)


def _departments(user: CurrentUser) -> list[str] | None:
    """None = every department; otherwise those the user's roles are declared to oversee."""
    return departments_in_scope(user.actor)


@blp.get("/overview")
@ability_required(Ability.DASHBOARD)
@blp.arguments(OverviewArgs, location="query")
@blp.response(200, page_of(OverviewRowSchema))
def overview(args: dict[str, Any]) -> Any:
    now = datetime.now(UTC)
    until = args["until"] or now
    since = args["since"] or until - timedelta(days=30)
    departments = _departments(current_user())
    with transaction(readonly=True) as session:
        if args["group_by"] == "department":
            rows = department_overview(session, now, since, until, departments=departments)
        else:
            rows = [r for d in (departments or [None]) for r in
                    step_overview(session, now, since, until, process_key=args["process_key"], department=d)]
    items = [{**{name: getattr(r, name) for name in OverviewRowSchema._declared_fields if name != "key"},
              "key": ":".join(r.key) if isinstance(r.key, tuple) else r.key} for r in rows]
    return page(items[args["offset"]:args["offset"] + args["limit"]], len(items), args)


@blp.get("/overdue")
@ability_required(Ability.DASHBOARD)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(OverdueSchema))
def overdue(args: dict[str, Any]) -> Any:
    departments = _departments(current_user())
    if departments == []:
        return page([], 0, args)
    with transaction(readonly=True) as session:
        rows, total = overdue_items(session, datetime.now(UTC), department=departments[0] if departments else None,
                                    limit=args["limit"], offset=args["offset"])
    return page(rows, total, args)


@blp.post("/cases/<int(max=2147483647):case_id>/urge")
@blp.arguments(UrgeSchema)
@blp.response(201, UrgingSchema)
def urge_case(body: dict[str, Any], case_id: int) -> Any:
    """督办: press a running case; its assignees are notified (roles that may urge, in the departments they oversee)."""
    with transaction() as session:
        return urge(session, current_user().actor, case_id, body["message"])


@blp.post("/extensions/<int(max=2147483647):extension_id>/decision")
@blp.arguments(DecisionSchema)
@blp.response(200, ExtensionOutSchema)
def decide(body: dict[str, Any], extension_id: int) -> Any:
    """Approve (the deadline moves) or reject an extension request."""
    with transaction() as session:
        return decide_extension(session, current_user().actor, extension_id, body["approve"], body["note"])
