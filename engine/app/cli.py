"""The `casegrid` command. Every failure prints one line per problem and exits non-zero, no traceback."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from engine.app.bulletin_cli import bulletin_group
from engine.app.calendar_cli import calendar_group
from engine.app.cli_support import _actor, _db, _emit, _fail, recording_failures, reports_errors
from engine.app.events_cli import events_group
from engine.app.incidents_cli import incidents_group
from engine.app.migrate_cli import migrate_group
from engine.app.scenario_cli import scenario_group, simulate
from engine.config import settings
from engine.store.statuses import WorkItemStatus


def _item_dict(item: Any) -> dict[str, Any]:
    return {"id": item.id, "case_id": item.case_id, "name": item.task_name, "task": item.task_spec,
            "form": item.form_key, "role": item.role, "department": item.department, "grid_cell": item.grid_cell,
            "assignee": item.assignee, "candidate_users": item.candidate_users, "status": item.status,
            "due_at": item.due_at.isoformat() if item.due_at else None}


def _initialised_db():  # type: ignore[no-untyped-def]
    """The database when `casegrid init` has made it (it holds deployments), else None: validate must not
    create a database file as a side effect."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    url = make_url(settings().database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return None
    db = _db()
    with db.engine.connect() as connection:
        return db if inspect(connection).has_table("deployments") else None


@click.group()
def main() -> None:
    """casegrid: configuration-driven case workflows for a city district."""


@main.command()
@click.option("--demo", is_flag=True, help="Also seed demo users and a few dozen demo cases.")
@reports_errors
def init(demo: bool) -> None:
    """Migrate the database, load the organisation, deploy the bundled definitions."""
    from engine.app.bootstrap import initialise

    report = initialise(_db(), settings().definitions_root, demo=demo)
    click.echo(f"organisation: {report.org_counts}")
    click.echo("deployed: " + (", ".join(report.new_versions) or "nothing new"))
    if demo:
        click.echo(f"demo cases: {report.demo_cases}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@reports_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Validate definition files or folders without deploying anything.

    Over what is deployed, exactly as deploy would (duplicate process ids, the organisation in the
    database); before the database is initialised, over the bundled definitions folder."""
    from engine.definitions.bundle import load_paths, load_root
    from engine.definitions.service import validate as validate_as_deploy
    from engine.definitions.validation import validate_bundle

    given = load_paths(paths, settings().definitions_root)
    db = _initialised_db()
    if db is not None:
        with db.transaction(readonly=True) as session:
            problems, _catalogue, _full = validate_as_deploy(session, given)
    else:
        problems, _catalogue = validate_bundle(load_root(settings().definitions_root).overlay(given))
    if problems:
        _fail([str(p) for p in problems])
    click.echo(f"ok: {len(given.files)} file(s) valid")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; fail if a diagram is missing or unusable.")
@reports_errors
def layout(paths: tuple[Path, ...], check: bool) -> None:
    """Draw the diagram (BPMNDI) of BPMN files or folders anew from their processes; nothing else changes."""
    from lxml import etree

    from engine.definitions.layout import check_diagram, relayout

    files = sorted({f for p in paths for f in (sorted(p.glob("*.bpmn")) if p.is_dir() else [p])})
    problems: list[str] = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        if check:
            problems += [f"{file}: {line}" for line in check_diagram(etree.fromstring(text.encode("utf-8")))]
            continue
        new, warnings = relayout(text)
        for warning in warnings:
            click.echo(f"warning: {file}: {warning}", err=True)
        if new != text:
            file.write_text(new, encoding="utf-8")
        click.echo(f"{'laid out' if new != text else 'unchanged'}: {file}")
    if problems:
        _fail(problems)
    if check:
        click.echo(f"ok: {len(files)} diagram(s) usable")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--user", "username", default="system", help="Who deploys (recorded).")
@reports_errors
def deploy(paths: tuple[Path, ...], username: str) -> None:
    """Validate and deploy files as new versions; identical content is a no-op."""
    from engine.definitions.bundle import load_paths
    from engine.definitions.service import deploy as deploy_bundle

    db = _db()
    with db.transaction() as session:
        result = deploy_bundle(session, load_paths(paths, settings().definitions_root), actor=username)
        versions = [f"{v.process_key} v{v.version}" for v in result.new_versions]
    click.echo("unchanged: identical content already deployed" if result.unchanged
               else "deployed: " + (", ".join(versions) or "definitions updated, no process changed"))


@main.command()
@click.argument("process_key")
@click.option("--data", default="{}", help="Start data as JSON.")
@click.option("--user", "username", default="system")
@click.option("--version", type=int, default=None, help="A specific deployed version (default latest).")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def start(process_key: str, data: str, username: str, version: int | None, as_json: bool) -> None:
    """Start a case (as --user: only if the start event lets that user start it)."""
    from engine.commands.cases import start as start_case
    from engine.store.models.tasks import WorkItem

    db = _db()
    with recording_failures(db, username), db.transaction() as session:
        case = start_case(session, _actor(session, username), process_key, json.loads(data), version=version)
        items = session.query(WorkItem).filter_by(case_id=case.id, status=WorkItemStatus.OPEN).all()
        payload = {"case_id": case.id, "business_key": case.business_key, "status": case.status,
                   "tasks": [_item_dict(i) for i in items]}
    _emit(as_json, payload, f"started {case.business_key} (id {case.id}); open tasks: "
          + (", ".join(f"{i['id']} {i['name']}" for i in payload["tasks"]) or "none"))


@main.command()
@click.option("--user", "username", default=None, help="Tasks this user may work (default: all open tasks).")
@click.option("--case", "case_id", type=int, default=None)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def tasks(username: str | None, case_id: int | None, as_json: bool) -> None:
    """List open tasks."""
    from engine.org.access import system_actor
    from engine.tasks.queries import TaskFilter, list_tasks

    db = _db()
    with db.transaction(readonly=True) as session:
        actor = _actor(session, username) if username else system_actor()
        mine, _ = list_tasks(session, actor, TaskFilter(scope="mine", case_id=case_id), limit=200)
        candidates, _ = list_tasks(session, actor, TaskFilter(scope="candidate" if username else "all",
                                                              case_id=case_id), limit=200)
        seen: dict[str, Any] = {}
        for item in [*mine, *candidates]:
            seen.setdefault(item.id, _item_dict(item))
    rows = list(seen.values())
    _emit(as_json, rows, "\n".join(
        f"{r['id']}  case {r['case_id']}  {r['name']}  [{r['role'] or '-'}/{r['department'] or '-'}]"
        f"  {r['assignee'] or 'unassigned'}" for r in rows) or "no open tasks")


@main.command()
@click.argument("task_id")
@click.option("--data", default="{}", help="Form data as JSON.")
@click.option("--user", "username", required=True)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def complete(task_id: str, data: str, username: str, as_json: bool) -> None:
    """Complete a task with form data."""
    from engine.commands.tasks import complete as complete_task

    db = _db()
    with recording_failures(db, username), db.transaction() as session:
        done = complete_task(session, _actor(session, username), task_id, json.loads(data))
        case = done.case
        payload = {"case_id": case.id, "business_key": case.business_key, "status": case.status,
                   "tasks": [_item_dict(i) for i in done.opened]}
    _emit(as_json, payload, f"completed; case {case.business_key} is {case.status}; new tasks: "
          + (", ".join(f"{i['id']} {i['name']}" for i in payload["tasks"]) or "none"))


@main.command("stage-done")
@click.argument("task_id")
@click.option("--user", "username", required=True, help="Someone who may work the task.")
@click.option("--note", default="", help="What was achieved (kept in the audit trail).")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def stage_done(task_id: str, username: str, note: str, as_json: bool) -> None:
    """Mark the current stage of the task's staged time limit done; the next stage starts now."""
    from engine.commands.tasks import stage_done as mark_stage_done

    db = _db()
    with db.transaction() as session:
        clock = mark_stage_done(session, _actor(session, username), task_id, note)
        payload = {"task_id": task_id, "stage": clock.stage + 1, "name": clock.stage_name,
                   "due_at": clock.due_at.isoformat() if clock.due_at else None}
    _emit(as_json, payload, f"stage {payload['stage']} ({payload['name']}) started; due {payload['due_at']}")


@main.command()
@click.argument("case_id", type=int)
@click.option("--reason", required=True)
@click.option("--user", "username", default="system")
@reports_errors
def cancel(case_id: int, reason: str, username: str) -> None:
    """Cancel a running case."""
    from engine.commands.cases import cancel as cancel_case

    db = _db()
    with db.transaction() as session:
        case = cancel_case(session, _actor(session, username), case_id, reason)
    click.echo(f"cancelled {case.business_key}")


@main.command()
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def history(case_id: int, as_json: bool) -> None:
    """A case's audit trail."""
    from engine.audit.service import history as case_history

    db = _db()
    with db.transaction(readonly=True) as session:
        rows = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "task": e.task_name,
                 "details": e.details} for e in case_history(session, case_id)]
    _emit(as_json, rows, "\n".join(f"{r['at']}  {r['actor']:<12} {r['action']:<18} {r['task'] or ''}" for r in rows))


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-worker", is_flag=True, help="Do not run the timer worker inside the web process.")
@reports_errors
def serve(host: str, port: int, no_worker: bool) -> None:
    """Serve the web app (embedded default: one process, worker thread inside)."""
    from web import create_app

    app = create_app(start_worker=not no_worker)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--once", is_flag=True, help="Fire what is due now and exit.")
@reports_errors
def worker(once: bool) -> None:
    """Fire due timers, purge expired event-rule state and orphaned uploads; run as many as you like
    against PostgreSQL."""
    import logging
    import signal
    import threading

    from engine.app.worker import (
        purge_attachments,
        purge_event_keys_before,
        purge_rule_state,
        run_worker,
        worker_name,
    )
    from engine.commands.timers import fire_due

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    db = _db()
    if once:
        click.echo(f"fired {fire_due(db, worker_name())} timer(s)")
        click.echo(f"purged {purge_rule_state(db)} expired event-rule group(s)")
        result = purge_attachments(db)
        click.echo(f"purged {result.rows} orphaned upload(s) and {result.files} file(s)")
        click.echo(f"purged {purge_event_keys_before(db, batches=None).deleted} event idempotency key(s)")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_worker(db, stop, settings().worker_poll_seconds)


@main.group()
def token() -> None:
    """Per-user API bearer tokens (only a hash is stored)."""


@token.command("create")
@click.argument("username")
@reports_errors
def token_create(username: str) -> None:
    """Create (or replace) USER's API token and print it once."""
    from engine.auth.tokens import create_token

    db = _db()
    with db.transaction() as session:
        value = create_token(session, username)
    click.echo(value)


@token.command("revoke")
@click.argument("username")
@reports_errors
def token_revoke(username: str) -> None:
    """Revoke USER's API token."""
    from engine.auth.tokens import revoke_token

    db = _db()
    with db.transaction() as session:
        had = revoke_token(session, username)
    click.echo("revoked" if had else "no token to revoke")


@main.group()
def user() -> None:
    """People's accounts."""


@user.command("set-password")
@click.argument("username")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True,
              help="The new password (asked for, hidden, when not given).")
@reports_errors
def user_set_password(username: str, password: str) -> None:
    """Reset USER's password (an administrator's reset); every session of the user ends."""
    from engine.auth.signin import set_password

    db = _db()
    with db.transaction() as session:
        set_password(session, username, password)
    click.echo(f"password of {username} reset; their sessions have ended")


@user.command("unbind-sso")
@click.argument("username")
@reports_errors
def user_unbind_sso(username: str) -> None:
    """Forget the single sign-on identity USER is bound to (their platform account was re-created)."""
    from engine.commands.users import unbind_identities

    with _db().transaction() as session:
        removed = unbind_identities(session, username)
    if not removed:
        click.echo(f"{username} is bound to no single sign-on identity")
        return
    for identity in removed:
        click.echo(f"unbound {username} from {identity}")


@main.command("send-message")
@click.argument("message_name")
@click.option("--case", "case_ref", default=None, help="Case id or business key the message is for.")
@click.option("--correlation", default=None, help="Correlation as JSON, e.g. '{\"origin_case\": \"LH-2026-000001\"}'.")
@click.option("--data", default="{}", help="Message payload as JSON.")
@click.option("--user", "username", default="system")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def send_message_command(message_name: str, case_ref: str | None, correlation: str | None, data: str,
                         username: str, as_json: bool) -> None:
    """Deliver a BPMN message to the running case(s) waiting for it (issue 6, docs/families.md)."""
    from engine.commands.messages import deliver_message

    case_id = int(case_ref) if case_ref and case_ref.isdigit() else None
    business_key = case_ref if case_ref and case_id is None else None
    db = _db()
    with db.transaction() as session:
        cases = deliver_message(session, _actor(session, username), message_name, case_id=case_id,
                                business_key=business_key,
                                correlation=json.loads(correlation) if correlation else None,
                                payload=json.loads(data))
        payload = [{"case_id": c.id, "business_key": c.business_key, "status": c.status,
                    "current_step": c.current_step} for c in cases]
    _emit(as_json, payload, "delivered to " + ", ".join(f"{c['business_key']} ({c['status']})" for c in payload))


@main.command("post-event")
@click.argument("event_type")
@click.option("--data", default="{}", help="Event payload as JSON.")
@click.option("--at", "occurred_at", default=None, help="When it happened (ISO date-time with zone).")
@click.option("--user", "username", default="system")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def post_event_command(event_type: str, data: str, occurred_at: str | None, username: str, as_json: bool) -> None:
    """Post an event through the event rule sets (rules/events/*.json); prints what the rules did."""
    from engine.commands.events import ingest_event

    db = _db()
    with db.transaction() as session:
        results = ingest_event(session, _actor(session, username),
                               {"type": event_type, "payload": json.loads(data), "occurred_at": occurred_at})
    _emit(as_json, results, "\n".join(f"{r['ruleset']}.{r['rule']}: {r['operation']}" for r in results)
          or "no rule fired")


@main.group()
def attachments() -> None:
    """Files attached to forms (CASEGRID_UPLOAD_DIR)."""


@attachments.command("purge")
@click.option("--older-than-hours", type=float, default=None,
              help="Age after which a pending upload or unnamed file goes (default: CASEGRID_UPLOAD_ORPHAN_HOURS, 24).")
@click.option("--no-sweep", is_flag=True, help="Skip the walk of the upload directory for files no row names.")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def attachments_purge(older_than_hours: float | None, no_sweep: bool, as_json: bool) -> None:
    """Delete uploads no form named and files no attachment names any more; safe beside running workers."""
    from datetime import timedelta

    from engine.app.worker import purge_attachments

    if older_than_hours is not None and older_than_hours < 0:
        _fail(["--older-than-hours must not be negative"])
    older = None if older_than_hours is None else timedelta(hours=older_than_hours)
    result = purge_attachments(_db(), older_than=older, files=not no_sweep)
    _emit(as_json, {"rows": result.rows, "files": result.files},
          f"purged {result.rows} orphaned upload(s) and {result.files} file(s)")


main.add_command(bulletin_group)
main.add_command(calendar_group)
main.add_command(events_group)
main.add_command(incidents_group)
main.add_command(migrate_group)
main.add_command(scenario_group)
main.add_command(simulate)


if __name__ == "__main__":
    main()
