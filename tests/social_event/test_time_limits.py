"""Social-event time limits run in the SLA layer: rules/sla/social_event.yaml, the catalogue's limit per
subcategory (limit_from), one deadline per work item shown as its due time, warning, breach, escalation,
and extensions asked in `handle` and decided in `review_extension` through the SLA services."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from engine.commands.tasks import request_extension as request_extension_for_task
from engine.commands.timers import fire_due
from engine.errors import Conflict
from engine.org.service import actor_for
from engine.sla.services import decide_extension
from engine.store.database import Database
from engine.store.models.sla import Escalation, SlaExtension
from tests.sla.helpers import item_of, sole_clock_of

from .helpers import act, actions, only_item, open_items, start

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]




def _dispatched_monday_10(db: Database, category: str = "0102") -> int:
    """Reported Mon 12 Oct 2026 09:00, registered 09:30, dispatched to 环卫 at 10:00."""
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start(db, category=category)
    with time_machine.travel(sh(2026, 10, 12, 9, 30), tick=False):
        act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    return case_id


def test_register_and_dispatch_each_have_one_working_hour_with_the_warning_at_80_percent(deployed_db: Database) -> None:
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        case_id = start(deployed_db)
    register = only_item(deployed_db, case_id, "register")
    clock = sole_clock_of(deployed_db, register.id)
    assert (clock.policy_key, clock.limit_amount, clock.unit) == ("social_event.register", 1, "working_hours")
    # 11:30 + 1 working hour: 30 min before the lunch break, 30 after it; warning at 48 minutes in.
    assert register.due_at == clock.due_at == sh(2026, 10, 12, 14, 30)
    assert clock.warn_at == sh(2026, 10, 12, 14, 18)
    assert register.sla_state == "on_time"


def test_the_disposal_limit_comes_from_the_catalogue_and_is_the_work_items_only_due_time(deployed_db: Database) -> None:
    hours = _dispatched_monday_10(deployed_db, "0102")  # 暴露垃圾: 4 working hours
    handle = only_item(deployed_db, hours, "handle")
    clock = sole_clock_of(deployed_db, handle.id)
    assert (clock.policy_key, clock.limit_amount, clock.unit) == ("social_event.disposal", 4, "working_hours")
    assert clock.started_at == sh(2026, 10, 12, 10, 0)  # dispatched_at, the moment the clock starts (DOMAIN step 3)
    assert handle.due_at == clock.due_at == sh(2026, 10, 12, 16, 0)  # 10-12, 14-16
    days = _dispatched_monday_10(deployed_db, "0103")  # 积存垃圾渣土: 2 working days
    handle = only_item(deployed_db, days, "handle")
    assert (sole_clock_of(deployed_db, handle.id).unit, handle.due_at) == ("working_days", sh(2026, 10, 14, 10, 0))
    # Feedback continues the same deadline (counted from dispatch, not from when feedback opened).
    with time_machine.travel(sh(2026, 10, 13, 9, 0), tick=False):
        act(deployed_db, handle.id, "huanwei_h1", {"handle_decision": "accept"})
    feedback = only_item(deployed_db, days, "feedback")
    assert feedback.due_at == sole_clock_of(deployed_db, feedback.id).due_at == sh(2026, 10, 14, 10, 0)


def test_at_risk_at_80_percent_then_breach_escalates_to_the_supervisor_once(deployed_db: Database) -> None:
    case_id = _dispatched_monday_10(deployed_db)
    handle = only_item(deployed_db, case_id, "handle")
    with time_machine.travel(sh(2026, 10, 12, 15, 13), tick=False):  # 80 % of 4 h = 3 h 12 min
        assert fire_due(deployed_db, "w1") == 1
    assert item_of(deployed_db, handle.id).sla_state == "at_risk"
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        assert fire_due(deployed_db, "w1") == 1
    assert item_of(deployed_db, handle.id).sla_state == "overdue"
    with deployed_db.transaction(readonly=True) as session:
        escalations = session.scalars(select(Escalation).where(Escalation.case_id == case_id)).all()
        assert [(e.target_role, e.department, e.reason) for e in escalations] == [("supervisor", "huanwei", "breach")]
    # The unit accepts late: feedback continues the passed deadline, overdue at once, not escalated again.
    with time_machine.travel(sh(2026, 10, 12, 17, 0), tick=False):
        act(deployed_db, handle.id, "huanwei_h1", {"handle_decision": "accept"})
    assert sole_clock_of(deployed_db, handle.id).status == "met_late"
    feedback = only_item(deployed_db, case_id, "feedback")
    assert feedback.sla_state == "overdue"
    with time_machine.travel(sh(2026, 10, 13, 9, 0), tick=False):
        assert fire_due(deployed_db, "w1") == 0
    assert actions(deployed_db, case_id).count("sla_escalated") == 1


def _ask(db: Database, case_id: int, value: float, unit: str, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        act(db, only_item(db, case_id, "handle").id, "huanwei_h1",
            {"handle_decision": "extension", "extension_value": value, "extension_unit": unit,
             "extension_reason": "清运车辆检修，需调配"})


def _extensions(db: Database, case_id: int) -> list[tuple[str, float, str, str | None]]:
    with db.transaction(readonly=True) as session:
        return [(e.status, e.amount, e.unit, e.decided_by) for e in session.scalars(
            select(SlaExtension).where(SlaExtension.case_id == case_id).order_by(SlaExtension.id))]


def test_an_extension_asked_in_handle_and_approved_in_review_moves_the_sla_deadline(deployed_db: Database) -> None:
    db = deployed_db
    case_id = _dispatched_monday_10(db)
    _ask(db, case_id, 2, "working_hours", sh(2026, 10, 12, 11, 0))
    assert _extensions(db, case_id) == [("pending", 2, "working_hours", None)]  # the SLA request, waiting
    review = only_item(db, case_id, "review_extension")
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        act(db, review.id, "supervisor1", {"extension_decision": "approve"})
    assert _extensions(db, case_id) == [("approved", 2, "working_hours", "supervisor1")]
    handle = only_item(db, case_id, "handle")
    clock = sole_clock_of(db, handle.id)
    assert clock.started_at == sh(2026, 10, 12, 10, 0) and clock.extension_amount == 2
    assert handle.due_at == clock.due_at == sh(2026, 10, 12, 18, 0)  # 16:00 + 2 working hours
    trail = actions(db, case_id)
    assert trail.index("sla_extension_requested") < trail.index("sla_extension_approved")
    # The deadline holds for the steps that follow.
    with time_machine.travel(sh(2026, 10, 12, 12, 0), tick=False):
        act(db, handle.id, "huanwei_h1", {"handle_decision": "accept"})
    assert only_item(db, case_id, "feedback").due_at == sh(2026, 10, 12, 18, 0)


def test_a_rejected_extension_is_recorded_and_leaves_the_deadline(deployed_db: Database) -> None:
    db = deployed_db
    case_id = _dispatched_monday_10(db)
    _ask(db, case_id, 1, "working_days", sh(2026, 10, 12, 11, 0))
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        act(db, only_item(db, case_id, "review_extension").id, "supervisor2",
            {"extension_decision": "reject", "extension_comment": "可调用备用车辆"})
    assert _extensions(db, case_id) == [("rejected", 1, "working_days", "supervisor2")]
    assert only_item(db, case_id, "handle").due_at == sh(2026, 10, 12, 16, 0)


def test_a_working_day_extension_on_a_limit_in_hours_adds_a_working_day(deployed_db: Database) -> None:
    db = deployed_db
    case_id = _dispatched_monday_10(db)
    _ask(db, case_id, 1, "working_days", sh(2026, 10, 12, 11, 0))
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        act(db, only_item(db, case_id, "review_extension").id, "supervisor1", {"extension_decision": "approve"})
    assert only_item(db, case_id, "handle").due_at == sh(2026, 10, 13, 16, 0)  # not 16:00 + 24 working hours


def test_the_generic_extension_endpoints_refuse_what_the_process_reviews_and_change_nothing(deployed_db: Database) -> None:
    db = deployed_db
    case_id = _dispatched_monday_10(db)
    handle = only_item(db, case_id, "handle")
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False):
        with pytest.raises(Conflict, match="through its own form"), db.transaction() as session:
            request_extension_for_task(session, actor_for(session, "huanwei_h1"), handle.id, 2, "working_hours", "清运车辆检修")
    assert _extensions(db, case_id) == []
    _ask(db, case_id, 2, "working_hours", sh(2026, 10, 12, 11, 0))
    with db.transaction(readonly=True) as session:
        extension_id = session.scalar(select(SlaExtension.id).where(SlaExtension.case_id == case_id))
        events = session.scalar(select(func.count()).select_from(SlaExtension))
    with pytest.raises(Conflict, match="review step"), db.transaction() as session:
        decide_extension(session, extension_id, actor_for(session, "supervisor1"), approve=True)
    assert _extensions(db, case_id) == [("pending", 2, "working_hours", None)]
    assert [i.task_spec for i in open_items(db, case_id)] == ["review_extension"]
    with db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(SlaExtension)) == events
