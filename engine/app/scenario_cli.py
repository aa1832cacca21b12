"""`casegrid scenario run PATH… [--json]`: run scenario files on throwaway databases with a simulated clock."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import time_machine

from engine.app.boot import boot
from engine.app.cli_support import _db, _emit, reports_errors
from engine.app.scenarios.clock import after, local, shown
from engine.app.scenarios.format import load_scenario
from engine.app.scenarios.running import ScenarioResult, pass_time, run_scenario
from engine.app.scenarios.world import throwaway_world
from engine.config import settings
from engine.definitions.bundle import load_paths
from engine.errors import InvalidInput


def scenario_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders as their *.yaml files (sorted), so `scenarios/` runs them all."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(str(path))
    return found


def result_dict(result: ScenarioResult) -> dict[str, Any]:
    return {"path": result.path, "name": result.name, "passed": result.passed,
            "lines": [{"passed": line.passed, "line": line.line, "text": line.text} for line in result.lines]}


def result_text(result: ScenarioResult) -> str:
    lines = [f"{'PASS' if result.passed else 'FAIL'}  {result.name}  ({result.path})"]
    lines += [f"  {'ok  ' if line.passed else 'FAIL'}  line {line.line}: {line.text}" for line in result.lines]
    return "\n".join(lines)


@click.group(name="scenario")
def scenario_group() -> None:
    """Test processes with scenario files (docs/analyst-guide.md, "Testing with scenarios")."""


@scenario_group.command(name="run")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Definitions folder to deploy (default: the configured one).")
@click.option("--add", "added", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Definition files or folders laid over the root (a new process before it is shipped).")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def run(paths: tuple[Path, ...], root: Path | None, added: tuple[Path, ...], as_json: bool) -> None:
    """Each scenario on its own throwaway database; the real database is never touched. Exit 1 if any fails."""
    boot()
    files = scenario_files(paths)
    scenarios = [load_scenario(path) for path in files]  # a malformed file is refused before anything runs
    results = []
    definitions_root = root or settings().definitions_root
    overlay = load_paths(added, definitions_root) if added else None
    with throwaway_world(definitions_root, overlay) as world:
        for scenario in scenarios:
            with world.database() as db:
                results.append(run_scenario(db, scenario))
    failed = [r for r in results if not r.passed]
    _emit(as_json, {"passed": not failed, "scenarios": [result_dict(r) for r in results]},
          "\n".join(result_text(r) for r in results) + f"\n{len(results) - len(failed)} of {len(results)} scenario(s) passed")
    if failed:
        raise SystemExit(1)


@click.command(name="simulate")
@click.argument("amount", nargs=-1, required=True)
@click.option("--test-database", "confirmed", is_flag=True,
              help="Confirm that the configured database is a test database (required).")
@reports_errors
def simulate(amount: tuple[str, ...], confirmed: bool) -> None:
    """On a TEST database: act as if AMOUNT had passed ("3 working days", "2 hours", "to 2026-12-01 09:00"),
    firing every timer that falls due meanwhile at its due time. Real time resumes afterwards."""
    if not confirmed:
        raise InvalidInput("casegrid simulate changes what has happened in the configured database; add "
                           "--test-database to confirm it is a test database", {"test_database": ["required"]})
    text = " ".join(amount).strip()
    db = _db()
    now = datetime.now(UTC)
    if text.startswith("to "):
        try:
            target = local(datetime.fromisoformat(text[3:].strip())).astimezone(UTC)
        except ValueError:
            raise InvalidInput(f"not a date and time (YYYY-MM-DD HH:MM): {text[3:]!r}", {"amount": [text]}) from None
    else:
        target = after(now, text)
    if target < now:
        raise InvalidInput(f"{shown(target)} is in the past", {"amount": [text]})
    with time_machine.travel(now, tick=False) as traveller:
        fired = pass_time(db, traveller, target)
    click.echo(f"fired {fired} timer(s) due up to {shown(target)}")
