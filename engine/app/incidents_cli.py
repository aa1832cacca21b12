"""`casegrid incidents …`: list incidents, retry one after a fix, cancel one (and its case)."""
from __future__ import annotations

from typing import Any

import click

from engine.app.cli_support import _actor, _db, _emit, reports_errors

STATUSES = ("open", "resolved", "cancelled", "all")


def _row_dict(row: Any) -> dict[str, Any]:
    return {"id": row.id, "case_id": row.case_id, "business_key": row.business_key, "process_key": row.process_key,
            "element": row.element, "element_name": row.element_name, "kind": row.kind, "blocking": row.blocking,
            "error": row.error, "attempts": row.attempts, "status": row.status,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None, "resolved_by": row.resolved_by}


def _line(row: Any) -> str:
    where = row.business_key or f"({row.process_key}, not started)"
    return (f"{row.id}  {row.status}  {where}  {row.element_name or row.element}  [{row.kind}]  "
            f"attempts {row.attempts}: {row.error}")


@click.group(name="incidents", invoke_without_command=True)
@click.option("--status", type=click.Choice(STATUSES), default="open", show_default=True)
@click.option("--case", "case_id", type=int, default=None)
@click.option("--user", "username", default="system", help="Who asks (administrators, analysts, supervisors).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def incidents_group(ctx: click.Context, status: str, case_id: int | None, username: str, as_json: bool) -> None:
    """Cases that cannot move (and user actions that keep failing), newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from engine.incidents.access import require_view
    from engine.incidents.service import list_incidents
    from engine.store.models.incidents import IncidentStatus

    @reports_errors
    def run() -> None:
        with _db().transaction(readonly=True) as session:
            require_view(_actor(session, username))
            rows, total = list_incidents(session, status=None if status == "all" else IncidentStatus(status),
                                         case_id=case_id, limit=200)
        _emit(as_json, {"items": [_row_dict(r) for r in rows], "total": total},
              "\n".join(_line(r) for r in rows) or "no incidents")

    run()


@incidents_group.command(name="retry")
@click.argument("incident_id", type=int)
@click.option("--user", "username", default="system", help="Who retries (an administrator or analyst).")
@click.option("--json", "as_json", is_flag=True)
def retry(incident_id: int, username: str, as_json: bool) -> None:
    """Fire the failed step again with the case's current definition; exit 1 if it fails again."""
    from engine.commands.incidents import raise_if_failed, retry_incident

    @reports_errors
    def run() -> None:
        with _db().transaction() as session:
            result = retry_incident(session, _actor(session, username), incident_id)
        raise_if_failed(result)  # after the commit: the failed attempt stays recorded
        _emit(as_json, {"incident": incident_id, "resolved": True, "attempts": result.attempts},
              f"incident {incident_id} resolved; the case moves on")

    run()


@incidents_group.command(name="cancel")
@click.argument("incident_id", type=int)
@click.option("--reason", required=True, help="Why (recorded on the case).")
@click.option("--user", "username", default="system", help="Who cancels (an administrator or analyst).")
def cancel(incident_id: int, reason: str, username: str) -> None:
    """Cancel the case the incident blocks (a failed user action is only dismissed)."""
    from engine.commands.incidents import cancel_incident

    @reports_errors
    def run() -> None:
        with _db().transaction() as session:
            incident = cancel_incident(session, _actor(session, username), incident_id, reason)
            click.echo(f"incident {incident.id} {incident.status}")

    run()


@incidents_group.command(name="scan")
@click.option("--json", "as_json", is_flag=True)
def scan(as_json: bool) -> None:
    """Open a `stalled` incident for every running case that waits on nothing (the worker does this
    every few minutes)."""
    from engine.commands.incidents import report_stalled_cases

    @reports_errors
    def run() -> None:
        with _db().transaction() as session:
            opened = [(i.id, i.case_id) for i in report_stalled_cases(session, "casegrid incidents scan")]
        _emit(as_json, [{"incident": i, "case_id": c} for i, c in opened],
              "\n".join(f"incident {i}: case {c} waits on nothing" for i, c in opened) or "no stalled case")

    run()
