"""The studio's migration page: running cases per version, a plan (dry run) and the run, one button each."""
from __future__ import annotations

from typing import Any

from flask import render_template, request

from engine.commands.migrations import plan_migration, run_migration
from engine.definitions.service import get_version, list_versions
from engine.errors import Conflict
from engine.migration.alignment import parse_id_map
from engine.migration.planning import Blocker
from engine.migration.service import running_counts
from web.db import database, transaction
from web.errors import error_text
from web.identity import current_user
from web.lenient import load_input
from web.studio import bp
from web.studio.inputs import MigrationInput


def blocker_text(blocker: Blocker) -> str:
    return error_text(Conflict(blocker.text, key=blocker.key, params={"name": blocker.name, "target": blocker.target}))


def _page(process_key: str, args: dict[str, Any] | None, report: Any = None, ran: bool = False) -> str:
    with transaction(readonly=True) as session:
        latest = get_version(session, process_key)
        versions = list_versions(session, process_key)
        running = running_counts(session, process_key)
    return render_template("studio/migration.html", latest=latest, versions=versions, running=running,
                           args=args, report=report, ran=ran, blocker_text=blocker_text)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


@bp.get("/processes/<process_key>/migration")
def migration(process_key: str) -> Any:
    """Without versions: the running cases per version and the form; with them: the plan (changes nothing)."""
    if "from" not in request.args:
        return _page(process_key, None)
    args = load_input(MigrationInput(), request.args.to_dict())
    with transaction(readonly=True) as session:
        report = plan_migration(session, current_user().actor, process_key, args["from_version"], args["to_version"],
                                parse_id_map(_lines(args["id_map"])))
    return _page(process_key, args, report)


@bp.post("/processes/<process_key>/migration")
def run(process_key: str) -> Any:
    args = load_input(MigrationInput(), request.form.to_dict())
    report = run_migration(database(), current_user().actor, process_key, args["from_version"], args["to_version"],
                           parse_id_map(_lines(args["id_map"])))
    return _page(process_key, args, report, ran=True)
