"""`casegrid incidents` lists what keeps cases from moving and retries it."""
from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

from engine.commands.timers import fire_due
from engine.incidents.service import list_incidents
from engine.store.database import Database
from engine.store.models.incidents import IncidentStatus
from tests.clitools import Cli, CliResult
from tests.conftest import clear_engine_caches

from .helpers import FAILS_ON_START, FIXED, RAISING, case_row, deploy_nap, incidents_of, start_nap


def _casegrid(db: Database, tmp_path: Path, *args: str) -> CliResult:
    return Cli(tmp_path, clear_engine_caches, db.url)(*args)


def test_casegrid_incidents_lists_open_incidents_and_retry_resolves_one_after_a_fix_and_a_migration(db: Database, tmp_path: Path):
    deploy_nap(db, RAISING)
    # Real time, not a travelling clock: the CLI command reads the clock itself, where the nap must be over too.
    case_id = start_nap(db, wake_in=timedelta(seconds=1))
    time.sleep(1.2)
    assert fire_due(db, "w1") == 1
    [incident] = incidents_of(db, case_id)

    listed = _casegrid(db, tmp_path, "incidents", "--json")
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert payload["total"] == 1
    assert payload["items"][0]["id"] == incident.id and payload["items"][0]["element"] == "count"
    text = _casegrid(db, tmp_path, "incidents")
    assert f"{incident.id}  open" in text.stdout and "wakes" in text.stdout

    refused = _casegrid(db, tmp_path, "incidents", "retry", str(incident.id), "--user", "sup1")
    assert refused.returncode != 0 and "forbidden" in refused.stderr and "Traceback" not in refused.stderr

    deploy_nap(db, FIXED)
    planned = _casegrid(db, tmp_path, "migrate", "plan", "nap", "--from", "1", "--to", "2", "--user", "analyst1")
    assert planned.returncode == 0, planned.stderr
    assert "would move: sleep -> sleep" in planned.stdout and case_row(db, case_id).process_version_id == 1
    moved = _casegrid(db, tmp_path, "migrate", "run", "nap", "--from", "1", "--to", "2", "--user", "analyst1",
                      "--json")
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["cases"][0]["moves"][0]["to_element"] == "sleep"
    assert case_row(db, case_id).process_version_id == 2
    retried = _casegrid(db, tmp_path, "incidents", "retry", str(incident.id), "--user", "admin1")
    assert retried.returncode == 0, retried.stderr
    assert incidents_of(db, case_id)[0].status == IncidentStatus.RESOLVED
    assert case_row(db, case_id).data["wakes"] == 1
    assert json.loads(_casegrid(db, tmp_path, "incidents", "--json").stdout)["total"] == 0


def test_a_cli_start_that_fails_on_its_definition_is_recorded_for_the_operators(db: Database, tmp_path: Path):
    deploy_nap(db, FAILS_ON_START)

    started = _casegrid(db, tmp_path, "start", "tally_first", "--user", "admin1")

    assert started.returncode != 0 and "missing" in started.stderr and "Traceback" not in started.stderr
    with db.transaction(readonly=True) as session:
        [failure] = list_incidents(session, status=IncidentStatus.OPEN)[0]
    assert failure.kind == "user_action" and failure.process_key == "tally_first" and failure.element == "tally"
