"""SLA timers act once; escalations and urgings are audited, notified and counted."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.commands.supervision import urge
from engine.commands.timers import fire_due, fire_one
from engine.errors import Forbidden, InvalidInput
from engine.org.service import actor_for
from engine.sla.notify import mark_read, notifications_for
from engine.sla.queries import open_escalations, urging_counts
from engine.sla.services import acknowledge_escalation, advance_stage
from engine.store.database import Database
from engine.store.models.sla import Escalation, Notification, SlaClock
from engine.store.models.timers import Timer
from tests.sla.conftest import sh
from tests.sla.helpers import actions, clock_of, complete_item, open_item, start_demo


def _handling_case(db: Database, data: dict | None = None) -> tuple[int, str]:
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start_demo(db, data)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(db, open_item(db, case_id).id)
    return case_id, open_item(db, case_id).id


def _refire(db: Database, kind: str) -> None:
    """Put a fired timer back to pending, as a crashed worker that fired but lost its bookkeeping would."""
    with db.transaction() as session:
        timer = session.scalars(select(Timer).where(Timer.kind == kind, Timer.status == "fired")).one()
        timer.status = "pending"


def test_a_breach_timer_fired_twice_escalates_once(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        assert fire_due(sla_db, "w1") == 2  # warning and breach, in due order
        _refire(sla_db, "sla_breach")
        _refire(sla_db, "sla_warning")
        assert fire_due(sla_db, "w2") == 2
    assert actions(sla_db, case_id, "sla_overdue") == 1
    assert actions(sla_db, case_id, "sla_at_risk") == 1
    assert actions(sla_db, case_id, "sla_escalated") == 1
    with sla_db.transaction(readonly=True) as session:
        assert len(session.scalars(select(Escalation)).all()) == 1
    assert open_item(sla_db, case_id).sla_state == "overdue"


def test_repeating_reminders_stop_after_the_configured_number(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db)
    with sla_db.transaction() as session:
        from engine.commands.tasks import claim

        claim(session, actor_for(session, "h1"), item_id)
    # Each reminder is due one working hour after the previous one was sent.
    for moment, expected in [(sh(2026, 10, 12, 16, 0, 1), 2), (sh(2026, 10, 12, 17, 0, 2), 1),
                             (sh(2026, 10, 13, 9, 0, 3), 1), (sh(2026, 10, 20, 9, 0), 0)]:
        with time_machine.travel(moment, tick=False):
            assert fire_due(sla_db, "w1") == expected, moment
    assert actions(sla_db, case_id, "sla_reminded") == 2
    with sla_db.transaction(readonly=True) as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.recipient == "h1")).all()
    assert kinds.count("sla_reminder") == 2


def test_a_timer_for_a_deadline_that_has_moved_does_nothing(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db)
    with sla_db.transaction() as session:
        clock = session.scalars(select(SlaClock).where(SlaClock.work_item_id == item_id)).one()
        stale = Timer(case_id=case_id, kind="sla_breach", work_item_id=item_id, name="stale",
                      due_at=clock.due_at - timedelta(hours=3), payload={"clock_id": clock.id})
        session.add(stale)
    with time_machine.travel(sh(2026, 10, 12, 13, 30), tick=False):
        assert fire_one(sla_db, "w1")
    assert actions(sla_db, case_id, "sla_overdue") == 0
    assert open_item(sla_db, case_id).sla_state == "on_time"


def test_escalation_to_the_department_head_is_audited_notified_and_acknowledged(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        fire_due(sla_db, "w1")
    with sla_db.transaction() as session:
        [escalation] = open_escalations(session, role="department_head", department="chengguan")
        [note] = notifications_for(session, "head_cg")
        # Worded in the district's language with Shanghai time, as the head reads it.
        assert note.kind == "sla_escalation" and note.message.endswith("已于 2026-10-12 16:00 超期")
        with pytest.raises(Forbidden):
            acknowledge_escalation(session, escalation.id, actor_for(session, "h1"))
        acknowledge_escalation(session, escalation.id, actor_for(session, "head_cg"))
    with sla_db.transaction(readonly=True) as session:
        assert open_escalations(session) == []
    assert actions(sla_db, case_id, "sla_escalated") == 1
    assert actions(sla_db, case_id, "sla_escalation_acknowledged") == 1


def test_urging_is_audited_notifies_the_assignee_and_counts_per_department(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db)
    with sla_db.transaction() as session:
        from engine.commands.tasks import claim

        claim(session, actor_for(session, "h1"), item_id)
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False), sla_db.transaction() as session:
        urge(session, actor_for(session, "sup1"), case_id, "请今日内处置")
    with sla_db.transaction() as session:
        [note] = notifications_for(session, "h1")
        assert note.kind == "urging" and "请今日内处置" in note.message
        mark_read(session, note.id, "h1")
    with sla_db.transaction(readonly=True) as session:
        assert notifications_for(session, "h1") == []
        assert urging_counts(session, sh(2026, 10, 1), sh(2026, 11, 1)) == {"chengguan": 1}
    assert actions(sla_db, case_id, "case_urged") == 1


def test_only_supervisors_urge_and_an_urging_needs_a_message(sla_db: Database) -> None:
    case_id, _ = _handling_case(sla_db)
    with pytest.raises(Forbidden), sla_db.transaction() as session:
        urge(session, actor_for(session, "h1"), case_id, "hurry")
    with pytest.raises(InvalidInput), sla_db.transaction() as session:
        urge(session, actor_for(session, "sup1"), case_id, "")
    assert actions(sla_db, case_id, "case_urged") == 0


def test_a_staged_limit_starts_the_next_stage_when_the_current_one_is_done(sla_db: Database) -> None:
    case_id, item_id = _handling_case(sla_db, {"category": "illegal_structure"})
    first = clock_of(sla_db, item_id)
    assert (first.stage_name, first.due_at) == ("停工", sh(2026, 10, 12, 16, 0))
    with time_machine.travel(sh(2026, 10, 12, 15, 0), tick=False), sla_db.transaction() as session:
        advance_stage(session, case_id, actor_for(session, "h1"))
    second = clock_of(sla_db, item_id)
    # 7 working days from Mon 12 Oct 15:00: Tue 13 ... Wed 21 Oct 15:00.
    assert (second.stage_name, second.due_at) == ("处罚", sh(2026, 10, 21, 15, 0))
    assert open_item(sla_db, case_id).due_at == sh(2026, 10, 21, 15, 0)
    assert actions(sla_db, case_id, "sla_stage_done") == 1
