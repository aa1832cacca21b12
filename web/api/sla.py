"""Time limits: the overview per department and step, and the overdue list."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.tasks.queries import TaskFilter, list_tasks
from web import pending
from web.api.schemas import PageArgs, TaskSchema, page, page_of
from web.db import transaction
from web.identity import SUPERVISING_ROLES, current_user, roles_required

PREFIX = "/sla"
blp = Blueprint("api_sla", __name__, description="Time limits: overview and overdue work")


class OverviewRowSchema(Schema):
    department = fields.String(allow_none=True, required=True)
    step = fields.String(allow_none=True, required=True)
    open = fields.Integer(required=True)
    at_risk = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    closed_on_time = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True, required=True)


class OverviewArgs(PageArgs):
    group_by = fields.String(load_default="department", validate=validate.OneOf(("department", "step")))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


@blp.get("/overview")
@roles_required(*SUPERVISING_ROLES)
@blp.arguments(OverviewArgs, location="query")
@blp.response(200, page_of(OverviewRowSchema))
def overview(args: dict[str, Any]) -> Any:
    with transaction(readonly=True) as session:
        rows = pending.service("engine.sla.queries", "overview")(
            session, current_user().actor, group_by=args["group_by"], since=args["since"], until=args["until"])
    rows = list(rows)
    return page(rows[args["offset"]:args["offset"] + args["limit"]], len(rows), args)


@blp.get("/overdue")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(TaskSchema))
def overdue(args: dict[str, Any]) -> Any:
    """Open tasks past their due time that the caller may see (supervisors: all in scope)."""
    flt = TaskFilter(scope="all", due_before=datetime.now(UTC))
    with transaction(readonly=True) as session:
        rows, total = list_tasks(session, current_user().actor, flt, args["limit"], args["offset"])
    return page(rows, total, args)
