"""Clocks pause (paused time never counts) and approved extensions move the deadline."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from engine.errors import Conflict, Forbidden, InvalidInput
from engine.org.service import actor_for
from engine.sla.services import decide_extension, pause_clock, request_extension, resume_clock
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from tests.sla.conftest import sh
from tests.sla.helpers import clock_of, open_item, pending_timers, start_demo


def _handle_started_monday_10(db: Database) -> tuple[int, str]:
    """A case whose 4-working-hour handling step starts Mon 12 Oct 2026 10:00 (due 16:00: 10-12, 14-16)."""
    from tests.sla.helpers import complete_item

    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start_demo(db)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(db, open_item(db, case_id).id)
    item = open_item(db, case_id)
    assert item.due_at == sh(2026, 10, 12, 16, 0)
    return case_id, item.id


def test_a_paused_interval_does_not_count_and_the_deadline_moves_by_its_working_time(sla_db: Database) -> None:
    case_id, item_id = _handle_started_monday_10(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False), sla_db.transaction() as session:
        pause_clock(session, case_id, actor_for(session, "h1"), "waiting for the applicant's documents")
    assert open_item(sla_db, case_id).sla_state == "paused"
    assert pending_timers(sla_db, case_id) == []  # nothing can come due while the clock stands
    # Paused from Mon 11:00 to Tue 10:00: 1 + 4 + 1 = 6 working hours do not count; 3 h remain.
    with time_machine.travel(sh(2026, 10, 13, 10, 0), tick=False), sla_db.transaction() as session:
        resume_clock(session, case_id, actor_for(session, "h1"))
    item = open_item(sla_db, case_id)
    assert item.due_at == sh(2026, 10, 13, 15, 0)
    assert item.sla_state == "on_time"
    assert [k for k, _ in pending_timers(sla_db, case_id)] == ["sla_warning", "sla_breach"]


def test_the_process_pauses_and_resumes_the_clock_through_the_sla_paused_data_flag(sla_db: Database) -> None:
    from tests.sla.helpers import complete_item

    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start_demo(sla_db, {"sla_paused": True, "sla_pause_reason": "补正 materials"})
    item = open_item(sla_db, case_id)
    assert item.sla_state == "paused"
    assert clock_of(sla_db, item.id).status == "paused"
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(sla_db, item.id, data={"note": "ok"})
    # The flag is still true in the case data, so the next step's clock starts paused as well.
    assert open_item(sla_db, case_id).sla_state == "paused"


def test_an_approved_extension_moves_the_deadline_by_the_amount(sla_db: Database) -> None:
    case_id, item_id = _handle_started_monday_10(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False), sla_db.transaction() as session:
        extension = request_extension(session, case_id, actor_for(session, "h1"), 7, "needs a site survey")
        extension_id = extension.id
    assert open_item(sla_db, case_id).due_at == sh(2026, 10, 12, 16, 0)  # nothing moves before approval
    with time_machine.travel(sh(2026, 10, 12, 12, 0), tick=False), sla_db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "head_cg"), approve=True, note="agreed")
    assert open_item(sla_db, case_id).due_at == sh(2026, 10, 13, 16, 0)  # +7 working hours
    with sla_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "sla_extension_approved")) == 1


def test_a_rejected_extension_leaves_the_deadline_and_needs_a_reason(sla_db: Database) -> None:
    case_id, _ = _handle_started_monday_10(sla_db)
    with sla_db.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h1"), 2, "busy").id
    with pytest.raises(InvalidInput), sla_db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "head_cg"), approve=False)
    with sla_db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "head_cg"), approve=False, note="no")
    assert open_item(sla_db, case_id).due_at == sh(2026, 10, 12, 16, 0)


def test_bad_requests_are_refused_clearly_and_change_nothing(sla_db: Database) -> None:
    case_id, _ = _handle_started_monday_10(sla_db)
    with sla_db.transaction(readonly=True) as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(InvalidInput), sla_db.transaction() as session:
        request_extension(session, case_id, actor_for(session, "h1"), -1, "why not")
    with pytest.raises(InvalidInput), sla_db.transaction() as session:
        pause_clock(session, case_id, actor_for(session, "h1"), "  ")
    with pytest.raises(Conflict), sla_db.transaction() as session:
        resume_clock(session, case_id, actor_for(session, "h1"))
    with sla_db.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h1"), 1, "x").id
    with pytest.raises(Forbidden), sla_db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "h1"), approve=True)
    with sla_db.transaction(readonly=True) as session:
        # Only the one valid request was recorded.
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before + 1
    assert open_item(sla_db, case_id).due_at == sh(2026, 10, 12, 16, 0)


@pytest.mark.parametrize(("approve", "verdict"), [(True, "已批准"), (False, "被驳回")], ids=["approved", "rejected"])
def test_the_requester_is_told_of_the_decision_on_which_case(sla_db: Database, approve: bool, verdict: str) -> None:
    """A handler with several requests out reads which case was decided without opening each notice."""
    from engine.store.models.cases import Case
    from engine.store.models.sla import Notification

    case_id, _ = _handle_started_monday_10(sla_db)
    with sla_db.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h1"), 2, "needs a site survey").id
    with sla_db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "head_cg"), approve=approve, note="see note")
    with sla_db.transaction(readonly=True) as session:
        key = session.get(Case, case_id).business_key
        told = session.scalars(select(Notification.message).where(
            Notification.recipient == "h1", Notification.kind.like("sla_extension_%"))).one()
    assert told.startswith(f"{key}：") and verdict in told
