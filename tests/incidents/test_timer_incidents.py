"""A failure while the worker fires a timer leaves a visible, retryable incident, never a silently stuck case."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.commands.incidents import cancel_incident, raise_if_failed, retry_incident
from engine.errors import Conflict, Forbidden, NotFound
from engine.incidents.errors import RetryFailed
from engine.incidents.service import count_open, list_incidents
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.incidents import IncidentKind, IncidentStatus
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer

from .helpers import (
    FIXED,
    NO_WAY_ON,
    RAISING,
    THROWING,
    case_row,
    deploy_nap,
    fire_later,
    incidents_of,
    migrate_to,
    start_nap,
)


def _actor(db: Database, username: str):
    with db.transaction(readonly=True) as session:
        return actor_for(session, username)


def _timer(db: Database, case_id: int) -> Timer:
    with db.transaction(readonly=True) as session:
        return session.scalars(select(Timer).where(Timer.case_id == case_id)).one()


def _open_items(db: Database, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")))


def _actions(db: Database, case_id: int) -> list[str]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.id)))


def _retry(db: Database, username: str, incident_id: int):
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2), tick=True), db.transaction() as session:
        result = retry_incident(session, _actor(db, username), incident_id)
    return raise_if_failed(result)


def test_a_script_that_raises_after_a_timer_opens_an_incident_naming_the_element_and_error(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)

    assert fire_later(db) == 1

    [incident] = incidents_of(db, case_id)
    assert incident.status == IncidentStatus.OPEN and incident.kind == IncidentKind.SCRIPT
    assert incident.element == "count" and incident.element_name == "计数"
    assert "wakes" in incident.error and incident.attempts == 1
    case = case_row(db, case_id)
    assert case.status == "running" and case.open_incidents == 1
    assert case.data.get("wakes") is None  # the step rolled back: the case waits where it was
    assert _timer(db, case_id).status == "failed"
    assert {"timer_failed", "incident_opened"} <= set(_actions(db, case_id))
    with db.transaction(readonly=True) as session:
        assert count_open(session) == 1
        rows, total = list_incidents(session, status=IncidentStatus.OPEN)
        assert total == 1 and rows[0].business_key == case.business_key


def test_a_failed_timer_is_not_fired_again_by_the_worker(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)
    assert fire_later(db) == 1
    assert fire_later(db) == 0  # no hot loop on the failing timer
    assert incidents_of(db, case_id)[0].attempts == 1


def test_retry_after_a_corrected_version_resolves_the_incident_and_the_case_moves_on(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)
    fire_later(db)
    [incident] = incidents_of(db, case_id)
    corrected = deploy_nap(db, FIXED)
    migrate_to(db, case_id, corrected)

    result = _retry(db, "admin1", incident.id)

    assert result.resolved
    [incident] = incidents_of(db, case_id)
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_by == "admin1"
    case = case_row(db, case_id)
    assert case.open_incidents == 0 and case.data["wakes"] == 1
    assert [i.task_spec for i in _open_items(db, case_id)] == ["review"]
    assert _timer(db, case_id).status == "fired"
    assert "incident_resolved" in _actions(db, case_id)


def test_a_retry_that_fails_again_keeps_the_incident_open_with_one_more_attempt(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)
    fire_later(db)
    [incident] = incidents_of(db, case_id)

    with pytest.raises(RetryFailed, match="wakes") as failed:
        _retry(db, "analyst1", incident.id)

    assert failed.value.details == {"incident": incident.id, "attempts": 2}
    [incident] = incidents_of(db, case_id)
    assert incident.status == IncidentStatus.OPEN and incident.attempts == 2
    assert case_row(db, case_id).open_incidents == 1
    assert "incident_retry_failed" in _actions(db, case_id)


def test_only_administrators_and_analysts_retry_unknown_is_404_and_resolved_is_409(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)
    fire_later(db)
    [incident] = incidents_of(db, case_id)
    for username in ("sup1", "clerk1"):
        with pytest.raises(Forbidden):
            _retry(db, username, incident.id)
    assert incidents_of(db, case_id)[0].attempts == 1  # a refusal changes nothing
    with pytest.raises(NotFound):
        _retry(db, "admin1", incident.id + 100)
    migrate_to(db, case_id, deploy_nap(db, FIXED))
    _retry(db, "admin1", incident.id)
    with pytest.raises(Conflict):
        _retry(db, "admin1", incident.id)


def test_a_message_nobody_catches_thrown_after_a_timer_opens_a_message_incident(db: Database) -> None:
    deploy_nap(db, THROWING)
    case_id = start_nap(db)

    fire_later(db)

    [incident] = incidents_of(db, case_id)
    assert incident.kind == IncidentKind.MESSAGE and "nobody_listens" in incident.error
    assert case_row(db, case_id).open_incidents == 1
    assert _open_items(db, case_id) == []


def test_a_gateway_with_no_matching_flow_after_a_timer_opens_an_incident(db: Database) -> None:
    deploy_nap(db, NO_WAY_ON)
    case_id = start_nap(db)

    fire_later(db)

    [incident] = incidents_of(db, case_id)
    assert incident.kind == IncidentKind.SCRIPT and incident.element == "count" and incident.error
    assert case_row(db, case_id).open_incidents == 1


def test_cancelling_the_incident_cancels_the_case_and_closes_its_incidents(db: Database) -> None:
    deploy_nap(db, RAISING)
    case_id = start_nap(db)
    fire_later(db)
    [incident] = incidents_of(db, case_id)
    with db.transaction() as session:
        cancel_incident(session, _actor(db, "admin1"), incident.id, "流程定义有误，重新受理")

    [incident] = incidents_of(db, case_id)
    assert incident.status == IncidentStatus.CANCELLED and incident.resolved_by == "admin1"
    case = case_row(db, case_id)
    assert case.status == "cancelled" and case.open_incidents == 0
    with db.transaction(readonly=True) as session:
        assert count_open(session) == 0


def test_on_postgresql_a_failed_timer_step_rolls_back_to_its_savepoint_and_retry_resolves(pg_db: Database) -> None:
    deploy_nap(pg_db, RAISING)
    case_id = start_nap(pg_db)
    assert fire_later(pg_db) == 1
    [incident] = incidents_of(pg_db, case_id)
    assert incident.kind == IncidentKind.SCRIPT and case_row(pg_db, case_id).open_incidents == 1
    assert fire_later(pg_db) == 0
    migrate_to(pg_db, case_id, deploy_nap(pg_db, FIXED))
    assert _retry(pg_db, "admin1", incident.id).resolved
    assert case_row(pg_db, case_id).open_incidents == 0
    assert [i.task_spec for i in _open_items(pg_db, case_id)] == ["review"]
