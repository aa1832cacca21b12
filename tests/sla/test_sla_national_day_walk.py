"""Done-when (1): with controlled time, a case walks across National Day 2026 (Oct 1-7 off, Sun
Sep 20 and Sat Oct 10 worked) and gets the deadlines the law gives."""
from __future__ import annotations

import time_machine
from sqlalchemy import select

from engine.commands.timers import fire_due
from engine.store.database import Database
from engine.store.models.sla import Escalation, Notification
from tests.sla.conftest import sh
from tests.sla.helpers import actions, clock_of, complete_item, open_item, pending_timers, start_demo


def test_acceptance_within_5_working_days_from_30_september_ends_13_october_at_close(sla_db: Database) -> None:
    # Materials arrive Wed 30 Sep 16:45. The day itself is not counted; Oct 8, 9, Sat 10 (调休),
    # 12, 13 are the five working days: the limit ends Tue 13 Oct 18:00.
    with time_machine.travel(sh(2026, 9, 30, 16, 45), tick=False):
        case_id = start_demo(sla_db)
    item = open_item(sla_db, case_id)
    assert item.due_at == sh(2026, 10, 13, 18, 0)
    assert item.sla_state == "on_time"
    clock = clock_of(sla_db, item.id)
    assert not clock.provisional
    # 80 % = 4 working days of working time from the close of Sep 30: Mon 12 Oct at close.
    assert clock.warn_at == sh(2026, 10, 12, 18, 0)
    assert [k for k, _ in pending_timers(sla_db, case_id)] == ["sla_warning", "sla_breach"]


def test_at_risk_then_overdue_then_deemed_accepted_through_fired_timers(sla_db: Database) -> None:
    with time_machine.travel(sh(2026, 9, 30, 16, 45), tick=False):
        case_id = start_demo(sla_db)
    item = open_item(sla_db, case_id)
    with time_machine.travel(sh(2026, 10, 12, 17, 59), tick=False):
        assert fire_due(sla_db, "test") == 0  # nothing is due a minute before the warning point
    with time_machine.travel(sh(2026, 10, 12, 18, 0, 1), tick=False):
        assert fire_due(sla_db, "test") == 1
    assert open_item(sla_db, case_id).sla_state == "at_risk"
    assert actions(sla_db, case_id, "sla_at_risk") == 1
    with time_machine.travel(sh(2026, 10, 13, 18, 0, 1), tick=False):
        assert fire_due(sla_db, "test") == 1
    # Silence past the limit means accepted (Art. 32): the task was completed by the engine, late.
    with sla_db.transaction(readonly=True) as session:
        from engine.store.models.tasks import WorkItem

        accepted = session.get(WorkItem, item.id)
        assert accepted is not None and accepted.status == "completed" and accepted.sla_state == "met_late"
        escalation = session.scalars(select(Escalation).where(Escalation.case_id == case_id)).one()
        assert escalation.target_role == "supervisor" and escalation.status == "open"
        assert session.scalars(select(Notification.recipient).where(
            Notification.kind == "sla_escalation")).all() == ["sup1"]
    assert actions(sla_db, case_id, "sla_overdue") == 1
    assert actions(sla_db, case_id, "sla_escalated") == 1
    assert actions(sla_db, case_id, "sla_auto_completed") == 1
    # The next step's 4 working hours start outside hours (18:00:01) and so run Oct 14 09-12, 14-15.
    handle = open_item(sla_db, case_id)
    assert handle.task_spec == "handle" and handle.due_at == sh(2026, 10, 14, 15, 0)


def test_four_working_hours_from_30_september_17_00_end_8_october_at_noon(sla_db: Database) -> None:
    with time_machine.travel(sh(2026, 9, 30, 10, 0), tick=False):
        case_id = start_demo(sla_db)
    with time_machine.travel(sh(2026, 9, 30, 17, 0), tick=False):
        complete_item(sla_db, open_item(sla_db, case_id).id)
    handle = open_item(sla_db, case_id)
    # 1 h on Sep 30 (17-18), Oct 1-7 off, then 09:00-12:00 on Thu Oct 8: noon, not 14:00.
    assert handle.due_at == sh(2026, 10, 8, 12, 0)
    assert clock_of(sla_db, handle.id).warn_at == sh(2026, 10, 8, 11, 0)


def test_a_task_completed_before_its_limit_is_met_and_its_timers_are_cancelled(sla_db: Database) -> None:
    with time_machine.travel(sh(2026, 9, 30, 16, 45), tick=False):
        case_id = start_demo(sla_db)
        item = open_item(sla_db, case_id)
    with time_machine.travel(sh(2026, 10, 9, 10, 0), tick=False):
        complete_item(sla_db, item.id)
    assert clock_of(sla_db, item.id).status == "met"
    assert [k for k, _ in pending_timers(sla_db, case_id)] == ["sla_warning", "sla_breach"]  # the next step's only
    assert actions(sla_db, case_id, "sla_met") == 1
