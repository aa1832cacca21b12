"""Statuses that tell the truth (issue 13, point 6): what a case waits for, derived from projections only."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select, update

from engine.cases.display_status import CaseDisplay, DisplayStatus, display_status, display_statuses
from engine.cases.service import start_case
from engine.store.database import Database
from engine.store.models.cases import Case
from tests.families.helpers import WINDOW, case_row, open_items, pending_timers, work
from tests.families.test_crossing_families import FLOODING, emergency_of
from tests.families.test_licensing import FOOD, accept, review_all
from tests.social_event.helpers import act, only_item, start


def shown(db: Database, case_id: int) -> CaseDisplay:
    with db.transaction(readonly=True) as session:
        return display_status(session, session.get(Case, case_id))


def test_a_report_the_dispatcher_has_not_registered_reads_awaiting_registration(deployed_db):
    case_id = start(deployed_db, username="gw_s03c01g01", report_channel="grid_worker")
    assert shown(deployed_db, case_id) == CaseDisplay(DisplayStatus.AWAITING_REGISTRATION)
    act(deployed_db, only_item(deployed_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    assert shown(deployed_db, case_id).status == DisplayStatus.IN_HANDLING


def test_a_dispatched_case_reads_in_handling_by_the_department_its_open_step_is_offered_to(deployed_db):
    case_id = start(deployed_db)
    act(deployed_db, only_item(deployed_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(deployed_db, only_item(deployed_db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    assert shown(deployed_db, case_id) == CaseDisplay(DisplayStatus.IN_HANDLING, units=("huanwei",))


def test_a_report_waiting_for_the_emergency_case_it_raised_reads_awaiting_linked_case(deployed_db):
    social_id = start(deployed_db, **FLOODING)
    act(deployed_db, only_item(deployed_db, social_id, "register").id, "dispatcher1", {"register_decision": "register"})
    emergency = emergency_of(deployed_db, social_id)
    assert open_items(deployed_db, social_id) == []
    assert shown(deployed_db, social_id) == CaseDisplay(DisplayStatus.AWAITING_LINKED_CASE,
                                                        linked_case=emergency.business_key, linked_family="emergency")
    assert shown(deployed_db, emergency.id).status == DisplayStatus.IN_HANDLING


def test_a_licence_waiting_only_for_its_renewal_reminder_reads_awaiting_timer_until_the_reminder(deployed_db, clock):
    with deployed_db.transaction() as session:
        case_id = start_case(session, "licensing", dict(FOOD), WINDOW).id
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    work(deployed_db, case_id, "decide", {"licence_decision": "grant"}, WINDOW)
    work(deployed_db, case_id, "issue", {"licence_no": "JY14403030000001", "valid_until": "2031-11-23",
                                         "delivered_on": "2026-11-25"}, WINDOW)
    reminder_at = datetime(2031, 10, 24, 1, 0, tzinfo=UTC)
    assert [t.due_at for t in pending_timers(deployed_db, case_id)] == [reminder_at]
    assert shown(deployed_db, case_id) == CaseDisplay(DisplayStatus.AWAITING_TIMER, until=reminder_at)


def test_an_open_incident_reads_incident_before_anything_the_case_waits_for(deployed_db):
    case_id = start(deployed_db)
    with deployed_db.transaction() as session:  # the flag engine.incidents keeps with its incident rows
        session.execute(update(Case).where(Case.id == case_id).values(open_incidents=1))
    assert shown(deployed_db, case_id).status == DisplayStatus.INCIDENT


def test_closed_and_cancelled_cases_read_completed_and_cancelled(deployed_db):
    registered_invalid = start(deployed_db)
    act(deployed_db, only_item(deployed_db, registered_invalid, "register").id, "dispatcher1",
        {"register_decision": "cancel", "cancel_reason": "duplicate", "cancel_note": "重复上报"})
    assert case_row(deployed_db, registered_invalid).status == "cancelled"
    assert shown(deployed_db, registered_invalid).status == DisplayStatus.CANCELLED
    done = start(deployed_db)
    with deployed_db.transaction() as session:
        session.execute(update(Case).where(Case.id == done).values(status="completed"))
    assert shown(deployed_db, done).status == DisplayStatus.COMPLETED


def test_a_page_of_cases_reads_its_display_statuses_in_one_query(deployed_db):
    ids = [start(deployed_db) for _ in range(3)]
    act(deployed_db, only_item(deployed_db, ids[0], "register").id, "dispatcher1", {"register_decision": "register"})
    engine = deployed_db.engine
    with deployed_db.transaction(readonly=True) as session:
        cases = list(session.scalars(select(Case).where(Case.id.in_(ids))))
        display_statuses(session, cases[:1])  # the deployed version's runtime is read once and cached
        statements: list[str] = []

        def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            shown_all = display_statuses(session, cases)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    assert sorted(d.status for d in shown_all.values()) == sorted(
        [DisplayStatus.IN_HANDLING, DisplayStatus.AWAITING_REGISTRATION, DisplayStatus.AWAITING_REGISTRATION])

