"""Administrative licensing: acceptance (deemed, notice to supplement, refusal), parallel review, time not
counted, extension, issue and renewal — all with statutory working-day deadlines and controlled time."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.calendar.helpers import statutory_deadline
from engine.cases.service import start_case
from engine.errors import InvalidInput, StepRefused
from engine.store.models.audit import AuditEvent
from tests.families.helpers import (
    HEAD,
    T0,
    WINDOW,
    case_row,
    fire,
    item_named,
    open_items,
    pending_timers,
    reviewer,
    work,
)

SHANGHAI = timedelta(hours=8)
FOOD = {"title": "食品经营许可 张记面馆", "applicant": "张记面馆", "applicant_id": "91440300MA5XXXXX1",
        "licence_type": "food_business",
        "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout",
                                "food_safety_rules", "staff_health_certs"]}
OFFICER = reviewer("zhengwu")



def apply(db, data=FOOD) -> int:
    with db.transaction() as session:
        return start_case(session, "licensing", dict(data), WINDOW).id


def accept(db, case_id: int, checked_on_the_spot: bool = False) -> None:
    """Accept; `checked_on_the_spot` when the checklist lacks materials the window found complete."""
    answers = {"acceptance_decision": "accept", **({"materials_checked": True} if checked_on_the_spot else {})}
    work(db, case_id, "accept", answers, WINDOW)


def review_all(db, case_id: int, **extra) -> None:
    for item in [i for i in open_items(db, case_id) if i.task_spec == "review_task"]:
        with db.transaction() as session:
            from engine.commands.tasks import complete

            complete(session, reviewer(item.department), item.id, {"opinion": "approve", "comments": "符合条件", **extra})


def inspected_on_site(db, clock) -> int:
    """A case accepted, reviewed with a site inspection asked for, and inspected two days later (the
    inspection touches Tue, Wed, Thu: three working days not counted); its decision is open."""
    case_id = apply(db)
    accept(db, case_id)
    review_all(db, case_id, needs_inspection=True)
    clock.shift(timedelta(days=2))
    work(db, case_id, "inspection", {"inspection_finding": "现场符合要求"}, reviewer("shijian"))
    return case_id


def test_acceptance_is_due_at_close_of_the_fifth_working_day_and_silence_is_deemed_acceptance(deployed_db, clock):
    case_id = apply(deployed_db)
    due = item_named(deployed_db, case_id, "accept").due_at
    assert due == datetime(2026, 12, 1, 18, 0, tzinfo=UTC) - SHANGHAI  # Tue 1 Dec 18:00, start day not counted
    assert [t.due_at for t in pending_timers(deployed_db, case_id)] == [due]
    clock.move_to(due + timedelta(seconds=1))
    # The SLA warning (80 %) and the deemed acceptance; the SLA breach at the same instant ended with the task.
    assert fire(deployed_db) == 2
    case = case_row(deployed_db, case_id)
    assert case.data["acceptance"] == "deemed"
    assert case.data["accepted_at"] == case.data["received_at"]  # accepted from the day materials arrived
    assert "accept" not in {i.task_spec for i in open_items(deployed_db, case_id)}
    assert item_named(deployed_db, case_id, "review_task").department == "shijian"
    with deployed_db.transaction(readonly=True) as session:
        fired = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                         AuditEvent.action == "timer_fired")).one()
        assert fired.task_name.startswith("视为受理")
        withdrawn = session.scalars(select(AuditEvent.task_name).where(
            AuditEvent.case_id == case_id, AuditEvent.action == "task_withdrawn")).all()
        assert withdrawn == ["受理审查"]


def test_a_one_time_notice_lists_every_missing_item_stops_the_clock_and_a_second_is_refused_in_words(deployed_db, clock):
    incomplete = {**FOOD, "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout"]}
    case_id = apply(deployed_db, incomplete)
    assert case_row(deployed_db, case_id).data["missing_materials"] == ["food_safety_rules", "staff_health_certs"]
    work(deployed_db, case_id, "accept", {"acceptance_decision": "supplement", "extra_missing": ["id_card"]}, WINDOW)
    data = case_row(deployed_db, case_id).data
    assert data["notice_items"] == ["food_safety_rules", "staff_health_certs", "id_card"]
    # While the applicant supplements, the organ's acceptance clock does not run: no SLA timer, no due date;
    # the one timer is the reminder to chase the applicant (test_a_supplement_left_unanswered_...).
    assert [t.name for t in pending_timers(deployed_db, case_id)] == ["补正等待满10个工作日"]
    assert pending_timers(deployed_db, case_id, kind="sla_breach") == []
    assert item_named(deployed_db, case_id, "supplement").due_at is None
    clock.shift(timedelta(days=14))
    work(deployed_db, case_id, "supplement", {"materials_supplemented": ["food_safety_rules", "staff_health_certs"]},
         WINDOW)
    restarted = T0 + timedelta(days=14)
    assert item_named(deployed_db, case_id, "accept").due_at == statutory_deadline(restarted, 5)
    before = case_row(deployed_db, case_id).version
    # A second notice is the clerk's choice to correct, said next to the choice: not a failed script.
    with pytest.raises(StepRefused) as again:
        work(deployed_db, case_id, "accept", {"acceptance_decision": "supplement"}, WINDOW)
    assert "一次性告知" in again.value.details["acceptance_decision"][0]
    assert case_row(deployed_db, case_id).version == before
    accept(deployed_db, case_id)
    assert case_row(deployed_db, case_id).data["acceptance"] == "accepted"


def test_materials_missing_from_the_checklist_are_not_accepted_until_the_window_checks_them_on_the_spot(
        deployed_db, clock):
    incomplete = {**FOOD, "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout"]}
    case_id = apply(deployed_db, incomplete)
    before = case_row(deployed_db, case_id).version
    # Art. 32: incomplete materials are told once to supplement, not accepted as they are.
    with pytest.raises(StepRefused) as refused:
        accept(deployed_db, case_id)
    said = refused.value.details["materials_checked"][0]
    assert "食品安全管理制度、从业人员健康证明" in said and "一次性告知补正" in said
    assert case_row(deployed_db, case_id).version == before
    assert item_named(deployed_db, case_id, "accept").status == "open"
    # The window found them complete on the spot (handed in on paper): accepted, and the record says so.
    accept(deployed_db, case_id, checked_on_the_spot=True)
    data = case_row(deployed_db, case_id).data
    assert data["acceptance"] == "accepted" and data["missing_materials"] == []
    assert "食品安全管理制度" in data["acceptance_note"]
    assert set(data["materials_submitted"]) >= {"food_safety_rules", "staff_health_certs"}


def test_refusal_needs_a_reason_and_ends_the_case(deployed_db, clock):
    case_id = apply(deployed_db)
    with pytest.raises(InvalidInput) as missing:
        work(deployed_db, case_id, "accept", {"acceptance_decision": "refuse"}, WINDOW)
    assert "refuse_reason" in missing.value.details
    work(deployed_db, case_id, "accept", {"acceptance_decision": "refuse", "refuse_reason": "不属于本机关职权"}, WINDOW)
    case = case_row(deployed_db, case_id)
    assert case.status == "completed" and case.data["outcome"] == "refused"


def test_the_departments_of_the_review_table_review_in_parallel_each_with_its_own_deadline(deployed_db, clock):
    case_id = apply(deployed_db, {**FOOD, "licence_type": "road_occupation",
                                  "materials_submitted": ["application_form", "construction_plan",
                                                          "traffic_management_plan", "site_map"]})
    accept(deployed_db, case_id)
    reviews = {i.department: i.due_at for i in open_items(deployed_db, case_id) if i.task_spec == "review_task"}
    assert reviews == {d: statutory_deadline(T0, 5) for d in ("jiaotong", "gongan", "shizheng")}
    review_all(deployed_db, case_id)
    decide = item_named(deployed_db, case_id, "decide")
    assert decide.due_at == statutory_deadline(T0, 20)
    results = case_row(deployed_db, case_id).data["review_results"]
    assert sorted(r["department"] for r in results) == ["gongan", "jiaotong", "shizheng"]


def test_the_parallel_review_completes_when_each_review_is_done_in_another_process(deployed_db, clock):
    """The review subprocess runs once per department (multi-instance); each reviewer's step may run in
    another process than the one that opened the reviews, which reads the case from its row under a
    freshly parsed process (here: the process caches are dropped before each step)."""
    from engine.commands.tasks import complete
    from engine.definitions import versions
    from engine.runtime import kept

    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    for item in [i for i in open_items(deployed_db, case_id) if i.task_spec == "review_task"]:
        versions.clear_cache()
        kept.clear()
        with deployed_db.transaction() as session:
            complete(session, reviewer(item.department), item.id, {"opinion": "approve", "comments": "符合条件"})
    item_named(deployed_db, case_id, "decide")


def test_site_inspection_time_is_not_counted_and_moves_the_decision_deadline(deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id, needs_inspection=True)
    inspection = item_named(deployed_db, case_id, "inspection")
    assert inspection.department == "shijian"
    clock.shift(timedelta(days=2))  # Tue..Thu: three working days touched by the inspection
    work(deployed_db, case_id, "inspection", {"inspection_finding": "现场符合要求"}, reviewer("shijian"))
    data = case_row(deployed_db, case_id).data
    assert data["paused_days"] == 3 and data["pauses"][0]["what"] == "site inspection"
    assert item_named(deployed_db, case_id, "decide").due_at == statutory_deadline(T0, 23)
    assert statutory_deadline(T0, 23) > statutory_deadline(T0, 20)


def test_an_extension_needs_the_heads_approval_adds_ten_working_days_and_a_second_is_refused_in_words(deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    with pytest.raises(InvalidInput):
        work(deployed_db, case_id, "decide", {"licence_decision": "extend"}, WINDOW)
    work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "需补充检测"}, WINDOW)
    approval = item_named(deployed_db, case_id, "approve_extension")
    assert approval.role == "department_head" and approval.department == "zhengwu"
    work(deployed_db, case_id, "approve_extension", {"extension_approved": True, "extension_reason": "检测周期长"}, HEAD)
    data = case_row(deployed_db, case_id).data
    assert data["extension"]["reason"] == "检测周期长" and data["extension_days"] == 10
    assert item_named(deployed_db, case_id, "decide").due_at == statutory_deadline(T0, 30)
    with pytest.raises(StepRefused) as again:
        work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "again"}, WINDOW)
    assert "已延长过一次" in again.value.details["licence_decision"][0]


def test_a_decision_past_its_deadline_sends_the_head_an_urging_task_and_stays_open(deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    clock.move_to(statutory_deadline(T0, 20) + timedelta(minutes=1))
    fire(deployed_db)
    urge = item_named(deployed_db, case_id, "urge_decision")
    assert (urge.role, urge.department) == ("department_head", "zhengwu")
    assert item_named(deployed_db, case_id, "decide")  # non-interrupting: the decision is still to be made


def test_a_granted_licence_is_delivered_within_ten_working_days_and_renewal_is_reminded_30_days_before_expiry(
        deployed_db, clock):
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    work(deployed_db, case_id, "decide", {"licence_decision": "grant"}, WINDOW)
    assert item_named(deployed_db, case_id, "issue").due_at == statutory_deadline(T0, 10)
    work(deployed_db, case_id, "issue", {"licence_no": "JY14403030000001", "valid_until": "2031-11-23",
                                         "delivered_on": "2026-11-25"}, WINDOW)
    reminder_at = datetime(2031, 10, 24, 9, 0, tzinfo=UTC) - SHANGHAI
    assert [t.due_at for t in pending_timers(deployed_db, case_id)] == [reminder_at]
    clock.move_to(reminder_at + timedelta(seconds=1))
    fire(deployed_db)
    item_named(deployed_db, case_id, "renewal_reminder")
    assert date.fromisoformat(case_row(deployed_db, case_id).data["valid_until"]) == date(2031, 11, 23)
