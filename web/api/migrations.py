"""Migrating running cases between versions of a process (engine.commands.migrations): plan and run."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from engine.commands.migrations import plan_migration, run_migration
from web.api.blueprint import Blueprint
from web.db import database, transaction
from web.identity import current_user

PREFIX = "/definitions"
blp = Blueprint("api_migrations", __name__, description="Move running cases to another version of their process")

class MigrationRequestSchema(Schema):
    from_version = fields.Integer(required=True, data_key="from", validate=validate.Range(min=1, max=2_147_483_647))
    to_version = fields.Integer(required=True, data_key="to", validate=validate.Range(min=1, max=2_147_483_647))
    id_map = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=200)),
                         values=fields.String(validate=validate.Length(min=1, max=200)),
                         load_default=dict, data_key="map", validate=validate.Length(max=200),
                         metadata={"description": "old element id -> new element id, for renamed elements"})
    dry_run = fields.Boolean(load_default=True,
                             metadata={"description": "true (default): plan only, nothing changes; false: migrate"})
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2_147_483_647),
                           metadata={"description": "plan: only cases with a larger id (paging)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class MoveSchema(Schema):
    element = fields.String()
    name = fields.String()
    state = fields.String()
    to_element = fields.String(allow_none=True)
    to_name = fields.String(allow_none=True)


class BlockerSchema(Schema):
    element = fields.String()
    key = fields.String()
    text = fields.String()


class CasePlanSchema(Schema):
    case_id = fields.Integer()
    business_key = fields.String()
    movable = fields.Boolean()
    moves = fields.List(fields.Nested(MoveSchema))
    blockers = fields.List(fields.Nested(BlockerSchema))


class MigrationReportSchema(Schema):
    process = fields.String()
    from_version = fields.Integer(data_key="from")
    to_version = fields.Integer(data_key="to")
    dry_run = fields.Boolean()
    movable = fields.Integer(metadata={"description": "cases moved (or, planning, that would move)"})
    blocked = fields.Integer(metadata={"description": "cases that cannot move; each says why"})
    next_after = fields.Integer(allow_none=True)
    cases = fields.List(fields.Nested(CasePlanSchema))


def _report(report: Any, dry_run: bool) -> dict[str, Any]:
    return {"process": report.process_key, "from_version": report.from_version, "to_version": report.to_version,
            "dry_run": dry_run, "movable": len(report.movable), "blocked": len(report.blocked),
            "next_after": report.next_after,
            "cases": [{"case_id": p.case_id, "business_key": p.business_key, "movable": p.movable,
                       "moves": [{**vars(m), "state": m.state.lower()} for m in p.moves],
                       "blockers": [vars(b) for b in p.blockers]} for p in report.cases]}


@blp.post("/<process_key>/migrations")
@blp.arguments(MigrationRequestSchema)
@blp.response(200, MigrationReportSchema)
def migrate(body: dict[str, Any], process_key: str) -> Any:
    """Plan (``dry_run``, the default: changes nothing) or run the move of every running case of version
    ``from`` to version ``to``. A run moves each case in its own transaction; a case that cannot move is
    left untouched and listed with its reasons. 403 unless administrator or analyst, 404 unknown process
    or version, 422 same version or a map naming elements that do not exist."""
    actor = current_user().actor
    args = (process_key, body["from_version"], body["to_version"], body["id_map"])
    if body["dry_run"]:
        with transaction(readonly=True) as session:
            report = plan_migration(session, actor, *args, after=body["after"], limit=body["limit"])
    else:
        report = run_migration(database(), actor, *args)
    return _report(report, body["dry_run"])
