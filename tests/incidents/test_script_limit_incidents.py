"""A runaway script in a case stops on its budget: an incident when the worker runs it, a 422 for a user, nothing changed."""
from __future__ import annotations

import threading
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from engine.cases.service import start_case
from engine.errors import ScriptFailed, ScriptLimit
from engine.org.access import system_actor
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.incidents import IncidentKind, IncidentStatus
from tests.sandbox.test_sandbox_limits import RUNAWAY_SCRIPTS

from .helpers import (
    REVIEW,
    SCRIPT_STEP,
    case_row,
    deploy_nap,
    fire_later,
    incidents_of,
    nap_bpmn,
    start_nap,
    user_steps_bpmn,
)

ENDLESS = "while True:\n    pass"
LOOP_FROM_DATA = "total = 0\nfor i in range(count):\n    total = total + i"


def _runaway_first(script: str) -> str:
    step = ('<bpmn:scriptTask id="tally" name="打分"><bpmn:incoming>{incoming}</bpmn:incoming>'
            '<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:script>' + escape(script).replace("{", "{{").replace("}", "}}")
            + '</bpmn:script></bpmn:scriptTask>')
    return user_steps_bpmn("runaway_first", step, REVIEW)


def _cases(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_an_endless_script_after_a_timer_opens_a_script_incident_naming_the_element(db: Database) -> None:
    deploy_nap(db, nap_bpmn(SCRIPT_STEP.format(script=ENDLESS)))
    case_id = start_nap(db)

    assert fire_later(db) == 1

    [incident] = incidents_of(db, case_id)
    assert incident.status == IncidentStatus.OPEN and incident.kind == IncidentKind.SCRIPT
    assert incident.element == "count" and "script stopped" in incident.error
    assert case_row(db, case_id).status == "running"


@pytest.mark.parametrize("script", [ENDLESS, "x = 10**10**8", "x = [0] * 10**9", LOOP_FROM_DATA])
def test_a_start_whose_script_runs_away_is_a_script_limit_naming_the_task_and_no_case_is_created(
        db: Database, script: str) -> None:
    deploy_nap(db, _runaway_first(script))
    before = _cases(db)
    with pytest.raises(ScriptLimit) as stopped, db.transaction() as session:
        start_case(session, "runaway_first", {"count": 10**12}, system_actor())
    assert stopped.value.code == "script_limit" and stopped.value.status == 422
    assert "打分" in stopped.value.message and "script stopped" in stopped.value.message
    assert _cases(db) == before


@pytest.mark.parametrize("payload", sorted(RUNAWAY_SCRIPTS))
def test_another_users_start_succeeds_while_a_runaway_start_is_stopped(db: Database, payload: str) -> None:
    _race_runaway_and_quick_start(db, RUNAWAY_SCRIPTS[payload])


@pytest.mark.parametrize("payload", sorted(RUNAWAY_SCRIPTS))
def test_on_postgresql_another_users_start_succeeds_while_a_runaway_start_is_stopped(pg_db: Database,
                                                                                      payload: str) -> None:
    _race_runaway_and_quick_start(pg_db, RUNAWAY_SCRIPTS[payload])


def _race_runaway_and_quick_start(db: Database, script: str = ENDLESS) -> None:
    deploy_nap(db, _runaway_first(script))
    deploy_nap(db, _runaway_first("total = 1").replace("runaway_first", "quick"))
    outcomes: dict[str, object] = {}

    def run(name: str, process: str) -> None:
        try:
            with db.transaction() as session:
                outcomes[name] = start_case(session, process, {}, system_actor()).id
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test compares
            outcomes[name] = exc

    runaway = threading.Thread(target=run, args=("runaway", "runaway_first"))
    quick = threading.Thread(target=run, args=("quick", "quick"))
    runaway.start()
    quick.start()
    runaway.join(30)
    quick.join(30)
    assert isinstance(outcomes["runaway"], ScriptLimit)
    assert isinstance(outcomes["quick"], int)


@pytest.mark.parametrize("script", ["tags = {1, 2}", "x = float('nan')", "r = range(3)", "big = 10**5000"])
def test_a_start_whose_script_leaves_a_value_json_cannot_hold_is_refused_naming_task_and_variable(
        db: Database, script: str) -> None:
    deploy_nap(db, _runaway_first(script))
    before = _cases(db)
    with pytest.raises(ScriptFailed) as refused, db.transaction() as session:
        start_case(session, "runaway_first", {}, system_actor())
    variable = script.split(" = ", 1)[0]
    assert refused.value.status == 422
    assert "打分" in refused.value.message and f"variable '{variable}'" in refused.value.message
    assert _cases(db) == before


def test_a_failed_start_names_its_process_not_a_case_key_and_the_next_start_gets_the_next_number(db: Database) -> None:
    deploy_nap(db, _runaway_first("x = missing + 1"))
    deploy_nap(db, _runaway_first("total = 1").replace("runaway_first", "quick"))
    with db.transaction() as session:
        first = start_case(session, "quick", {}, system_actor()).business_key
    with pytest.raises(ScriptFailed) as failed, db.transaction() as session:
        start_case(session, "runaway_first", {}, system_actor())
    with db.transaction() as session:
        second = start_case(session, "quick", {}, system_actor())
        second_key, data = second.business_key, dict(second.data)
    assert "runaway_first" in failed.value.message and first.rsplit("-", 1)[0] not in failed.value.message
    assert int(second_key.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert data["case_key"] == second_key
