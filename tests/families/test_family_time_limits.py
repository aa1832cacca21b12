"""Licensing and emergency limits run in the SLA layer (rules/sla/licensing.yaml, rules/sla/emergency.yaml):
one deadline per work item (the clock's), equal to the instant the process's own acting timers use,
80 % warning, breach and escalation, pauses that fell before a work item opened, the +10 extension
through the SLA services, and the supervisor's dashboard queries counting these families' items."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.calendar.helpers import statutory_deadline
from engine.sla.queries import at_risk_items, overdue_items, step_overview
from engine.store.database import Database
from engine.store.models.sla import Escalation, SlaCasePause, SlaExtension
from engine.store.models.tasks import WorkItem
from tests.families.helpers import (
    DUTY,
    GAS_LEAK,
    HEAD,
    T0,
    WINDOW,
    case_row,
    fire,
    item_named,
    pending_timers,
    start_incident,
    work,
)
from tests.families.test_licensing import FOOD, SHANGHAI, accept, apply, inspected_on_site, review_all
from tests.sla.helpers import sole_clock_of

GRADE_II_GAS_LEAK = {**GAS_LEAK, "casualties": 11}




def sla_state(db: Database, item_id: str) -> str:
    with db.transaction(readonly=True) as session:
        return session.get(WorkItem, item_id).sla_state


def bpmn_timer_due(db: Database, case_id: int, name_prefix: str) -> datetime:
    return next(t.due_at for t in pending_timers(db, case_id) if t.name.startswith(name_prefix))


# -- licensing -------------------------------------------------------------------------------
def test_acceptance_is_at_risk_at_80_percent_and_its_sla_deadline_is_the_deemed_acceptance_instant(deployed_db, clock):
    case_id = apply(deployed_db)
    item = item_named(deployed_db, case_id, "accept")
    sla = sole_clock_of(deployed_db, item.id)
    deemed = bpmn_timer_due(deployed_db, case_id, "视为受理")
    assert sla.policy_key == "licensing.accept" and sla.counting == "statutory"
    # One deadline: the work item shows the clock's, and the deemed-acceptance timer acts at that instant.
    assert item.due_at == sla.due_at == deemed == datetime(2026, 12, 1, 18, 0, tzinfo=UTC) - SHANGHAI
    # 80 % of 5 working days: close of the 4th working day after Tue 24 Nov (Mon 30 Nov 18:00).
    assert sla.warn_at == datetime(2026, 11, 30, 18, 0, tzinfo=UTC) - SHANGHAI
    clock.move_to(sla.warn_at - timedelta(seconds=1))
    fire(deployed_db)
    assert sla_state(deployed_db, item.id) == "on_time"
    clock.move_to(sla.warn_at + timedelta(seconds=1))
    fire(deployed_db)
    assert sla_state(deployed_db, item.id) == "at_risk"
    with deployed_db.transaction(readonly=True) as session:
        assert item.id in [i.id for i in at_risk_items(session, datetime.now(UTC))]


def test_department_review_limits_are_each_departments_own_review_days_from_the_review_table(deployed_db, clock):
    case_id = apply(deployed_db, {**FOOD, "licence_type": "construction_permit"})
    accept(deployed_db, case_id, checked_on_the_spot=True)  # the checklist holds food materials
    with deployed_db.transaction(readonly=True) as session:
        reviews = {i.department: (i.due_at, i.id) for i in session.scalars(select(WorkItem).where(
            WorkItem.case_id == case_id, WorkItem.task_spec == "review_task", WorkItem.status == "open"))}
    # rules/licensing_review.dmn: 住建 15 working days, 消防 10, each counted from acceptance.
    assert {d: due for d, (due, _) in reviews.items()} == {"zhujian": statutory_deadline(T0, 15),
                                                           "xiaofang": statutory_deadline(T0, 10)}
    assert sole_clock_of(deployed_db, reviews["zhujian"][1]).limit_amount == 15


def test_time_not_counted_before_the_decision_opens_moves_its_sla_deadline_by_the_paused_working_days(
        deployed_db, clock):
    case_id = inspected_on_site(deployed_db, clock)
    decide = item_named(deployed_db, case_id, "decide")
    sla = sole_clock_of(deployed_db, decide.id)
    # No clock ran during the inspection; the decision clock (from acceptance) takes the case's pause over.
    assert sla.started_at == T0 and len(sla.pauses) == 1
    assert decide.due_at == sla.due_at == statutory_deadline(T0, 23)
    assert bpmn_timer_due(deployed_db, case_id, "决定期限届满") == sla.due_at  # the head's urging, same instant


def test_the_supplement_pause_stops_acceptance_and_the_decision_counts_from_the_acceptance_after_it(
        deployed_db, clock):
    case_id = apply(deployed_db, {**FOOD, "materials_submitted": ["application_form"]})
    work(deployed_db, case_id, "accept", {"acceptance_decision": "supplement"}, WINDOW)
    assert item_named(deployed_db, case_id, "supplement").sla_state == "none"  # the applicant's time: no limit
    clock.shift(timedelta(days=7))  # Tue 1 Dec: five working days with the applicant
    work(deployed_db, case_id, "supplement", {"materials_supplemented": case_row(deployed_db, case_id)
                                              .data["notice_items"]}, WINDOW)
    back = T0 + timedelta(days=7)
    with deployed_db.transaction(readonly=True) as session:
        (pause,) = session.scalars(select(SlaCasePause).where(SlaCasePause.case_id == case_id)).all()
        assert (pause.paused_at, pause.resumed_at) == (T0, back)
    again = item_named(deployed_db, case_id, "accept")
    assert again.due_at == statutory_deadline(back, 5) == bpmn_timer_due(deployed_db, case_id, "视为受理")
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    # Without the pause the decision would be due 20 working days after the first receipt; it is due
    # 20 after the acceptance, which the five paused working days pushed back.
    assert item_named(deployed_db, case_id, "decide").due_at == statutory_deadline(back, 20) \
        == statutory_deadline(T0, 25)


def test_the_heads_approved_extension_moves_the_decision_deadline_ten_working_days_through_the_sla_layer(
        deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "需补充检测"}, WINDOW)
    with deployed_db.transaction(readonly=True) as session:
        asked = session.scalars(select(SlaExtension).where(SlaExtension.case_id == case_id)).one()
        assert (asked.status, asked.amount, asked.unit) == ("pending", 10, "working_days")
    work(deployed_db, case_id, "approve_extension", {"extension_approved": True, "extension_reason": "检测周期长"}, HEAD)
    with deployed_db.transaction(readonly=True) as session:
        assert session.get(SlaExtension, asked.id).status == "approved"
    decide = item_named(deployed_db, case_id, "decide")
    assert sole_clock_of(deployed_db, decide.id).extension_amount == 10
    assert decide.due_at == statutory_deadline(T0, 30) == bpmn_timer_due(deployed_db, case_id, "决定期限届满")


def test_a_rejected_extension_leaves_the_decision_deadline_at_twenty_working_days(deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "需补充检测"}, WINDOW)
    work(deployed_db, case_id, "approve_extension", {"extension_approved": False, "extension_reason": "理由不足"},
         HEAD)
    with deployed_db.transaction(readonly=True) as session:
        assert session.scalars(select(SlaExtension.status).where(SlaExtension.case_id == case_id)).one() == "rejected"
    assert item_named(deployed_db, case_id, "decide").due_at == statutory_deadline(T0, 20)


def test_issue_is_due_ten_working_days_after_the_decision_by_its_sla_clock(deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    clock.shift(timedelta(days=1))
    work(deployed_db, case_id, "decide", {"licence_decision": "grant"}, WINDOW)
    issue = item_named(deployed_db, case_id, "issue")
    assert sole_clock_of(deployed_db, issue.id).policy_key == "licensing.issue"
    assert issue.due_at == statutory_deadline(T0 + timedelta(days=1), 10)


# -- emergency -------------------------------------------------------------------------------
def test_a_grade_ii_phone_report_is_overdue_after_15_wall_clock_minutes_and_escalates_to_the_supervisor(
        deployed_db, clock):
    case_id = start_incident(deployed_db, GRADE_II_GAS_LEAK)
    phone = item_named(deployed_db, case_id, "phone_report")
    sla = sole_clock_of(deployed_db, phone.id)
    assert (sla.policy_key, sla.unit, sla.limit_amount) == ("emergency.phone_report", "minutes", 15)
    assert phone.due_at == T0 + timedelta(minutes=15)
    clock.move_to(T0 + timedelta(minutes=12, seconds=1))
    fire(deployed_db)
    assert sla_state(deployed_db, phone.id) == "at_risk"
    clock.move_to(T0 + timedelta(minutes=15, seconds=1))
    fire(deployed_db)
    assert sla_state(deployed_db, phone.id) == "overdue"
    with deployed_db.transaction(readonly=True) as session:
        escalation = session.scalars(select(Escalation).where(Escalation.work_item_id == phone.id)).one()
        assert (escalation.target_role, escalation.case_id) == ("supervisor", case_id)
        # By then the five agencies' 接警确认 (1 or 5 minutes from the dispatch) are overdue on their own clocks.
        rows, total = overdue_items(session, datetime.now(UTC))
        assert total == 6
        assert sorted(row.task_spec for row in rows) == ["agency_acknowledge"] * 5 + ["phone_report"]


def test_the_written_report_counts_from_the_moment_the_report_was_needed_not_from_the_call(deployed_db, clock):
    case_id = start_incident(deployed_db, GRADE_II_GAS_LEAK)
    clock.shift(timedelta(minutes=10))
    work(deployed_db, case_id, "phone_report", {"reported_to": "区长", "summary": "电话报告"}, DUTY)
    written = item_named(deployed_db, case_id, "written_report")
    assert written.due_at == T0 + timedelta(minutes=35)  # Ⅱ: 35 min from the dispatch, not from the call


# -- dashboard -------------------------------------------------------------------------------
def test_the_step_overview_and_overdue_list_count_licensing_and_emergency_items(deployed_db, clock):
    licence = apply(deployed_db)
    incident = start_incident(deployed_db, GRADE_II_GAS_LEAK)
    clock.move_to(T0 + timedelta(minutes=16))
    fire(deployed_db)
    now = datetime.now(UTC)
    with deployed_db.transaction(readonly=True) as session:
        steps = {row.key: row for row in step_overview(session, now, T0, now + timedelta(days=1))}
        assert (steps[("licensing", "accept")].open, steps[("licensing", "accept")].overdue) == (1, 0)
        phone = steps[("emergency_linkage", "phone_report")]
        assert (phone.open, phone.overdue) == (1, 1)
        rows, total = overdue_items(session, now)
        # The phone report and the five agencies' 接警确认, all of the incident.
        assert total == 6 and {row.case_id for row in rows} == {incident}
        assert steps[("emergency_linkage", "agency_acknowledge")].overdue == 5
    clock.move_to(datetime(2026, 11, 30, 18, 0, 1, tzinfo=UTC) - SHANGHAI)  # 80 % of the acceptance limit
    fire(deployed_db)
    now = datetime.now(UTC)
    with deployed_db.transaction(readonly=True) as session:
        steps = {row.key: row for row in step_overview(session, now, T0, now)}
        assert steps[("licensing", "accept")].at_risk == 1
        assert [i.case_id for i in at_risk_items(session, now)] == [licence]
