"""`casegrid migrate plan|run KEY --from V --to W [--map old=new …]`: move running cases to another version."""
from __future__ import annotations

from typing import Any

import click

from engine.app.cli_support import _actor, _db, _emit, reports_errors
from engine.commands.migrations import MigrationReport, plan_migration, run_migration
from engine.migration.alignment import parse_id_map
from engine.migration.planning import CasePlan


def report_dict(report: MigrationReport) -> dict[str, Any]:
    return {"process": report.process_key, "from": report.from_version, "to": report.to_version,
            "movable": len(report.movable), "blocked": len(report.blocked), "next_after": report.next_after,
            "cases": [case_dict(plan) for plan in report.cases]}


def case_dict(plan: CasePlan) -> dict[str, Any]:
    return {"case_id": plan.case_id, "business_key": plan.business_key, "movable": plan.movable,
            "moves": [{"element": m.element, "name": m.name, "state": m.state.lower(), "to_element": m.to_element,
                       "to_name": m.to_name} for m in plan.moves],
            "blockers": [{"element": b.element, "key": b.key, "text": b.text} for b in plan.blockers]}


def _lines(report: MigrationReport, verb: str) -> str:
    lines = []
    for plan in report.cases:
        if plan.movable:
            moves = ", ".join(f"{m.element} -> {m.to_element}" for m in plan.moves) or "nothing waiting"
            lines.append(f"{plan.business_key}  {verb}: {moves}")
        else:
            lines.append(f"{plan.business_key}  cannot move: " + "; ".join(b.text for b in plan.blockers))
    lines.append(f"{len(report.movable)} case(s) {verb}, {len(report.blocked)} cannot move "
                 f"({report.process_key} v{report.from_version} -> v{report.to_version})")
    if report.next_after is not None:
        lines.append(f"more running cases follow: add --after {report.next_after}")
    return "\n".join(lines)


@click.group(name="migrate")
def migrate_group() -> None:
    """Move running cases of one version of a process to another (plan first: it changes nothing)."""


def _common(func: Any) -> Any:
    for option in reversed([
        click.argument("process_key"),
        click.option("--from", "from_version", type=int, required=True, help="Version the cases run on."),
        click.option("--to", "to_version", type=int, required=True, help="Version to move them to."),
        click.option("--map", "id_map", multiple=True, help="old=new element id of a renamed element (repeatable)."),
        click.option("--user", "username", default="system", help="Who migrates (an administrator or analyst)."),
        click.option("--json", "as_json", is_flag=True),
    ]):
        func = option(func)
    return func


@migrate_group.command(name="plan")
@_common
@click.option("--after", type=int, default=0, help="Only cases with a larger id (paging).")
@click.option("--limit", type=int, default=100, show_default=True)
@reports_errors
def plan(process_key: str, from_version: int, to_version: int, id_map: tuple[str, ...], username: str,
         as_json: bool, after: int, limit: int) -> None:
    """Where each running case's open tasks, timers and messages would land; changes nothing."""
    with _db().transaction(readonly=True) as session:
        report = plan_migration(session, _actor(session, username), process_key, from_version, to_version,
                                parse_id_map(id_map), after=after, limit=limit)
    _emit(as_json, report_dict(report), _lines(report, "would move"))


@migrate_group.command(name="run")
@_common
@reports_errors
def run(process_key: str, from_version: int, to_version: int, id_map: tuple[str, ...], username: str,
        as_json: bool) -> None:
    """Move every running case that can move, each in its own transaction; exit 1 if any cannot."""
    db = _db()
    with db.transaction(readonly=True) as session:
        actor = _actor(session, username)
    report = run_migration(db, actor, process_key, from_version, to_version, parse_id_map(id_map))
    _emit(as_json, report_dict(report), _lines(report, "moved"))
    if report.blocked:
        raise SystemExit(1)
