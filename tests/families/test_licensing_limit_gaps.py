"""Administrative licensing: only the limit the law lets be extended is extended, an extension moves every
date that depends on it, and no step waits unsupervised — the head's approval of an extension has a limit
of its own, and an applicant's unanswered notice to supplement comes back to the window (行政许可法 Art. 32,
42; DOMAIN.md licensing table; docs/time-limits.md "Shipped policies")."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.calendar.helpers import statutory_deadline
from engine.commands.tasks import request_extension
from engine.errors import Conflict
from engine.sla.services import decide_extension
from engine.sla.task_extensions import extension_offer
from engine.store.database import Database
from engine.store.models.sla import Escalation, SlaClock, SlaExtension
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import ExtensionStatus
from tests.families.helpers import (
    HEAD,
    T0,
    WINDOW,
    case_row,
    fire,
    item_named,
    open_items,
    pending_timers,
    work,
)
from tests.families.test_licensing import FOOD, accept, apply, inspected_on_site, review_all
from tests.sla.helpers import sole_clock_of
from web.error_texts import word


class _Names:
    person = unit = process = staticmethod(lambda code: code)


def _offer(db: Database, item: WorkItem):  # type: ignore[no-untyped-def]
    with db.transaction(readonly=True) as session:
        return extension_offer(session, session.get(WorkItem, item.id))


def _extensions(db: Database, case_id: int) -> list[SlaExtension]:
    with db.transaction(readonly=True) as session:
        rows = list(session.scalars(select(SlaExtension).where(SlaExtension.case_id == case_id)))
        session.expunge_all()
        return rows


def _timers_of(db: Database, case_id: int) -> list[tuple[str, str, object]]:
    """(kind, name or work item's task, due) of the case's pending timers, soonest first."""
    with db.transaction(readonly=True) as session:
        rows = session.scalars(select(Timer).where(Timer.case_id == case_id, Timer.status == "pending")
                               .order_by(Timer.due_at, Timer.id))
        out = []
        for timer in rows:
            item = session.get(WorkItem, timer.work_item_id) if timer.work_item_id else None
            out.append((timer.kind, item.task_spec if item is not None and timer.kind != "bpmn" else timer.name,
                        timer.due_at))
        return out


# -- defect 1: extension offered where the law gives none -------------------------------------------
def test_acceptance_review_and_delivery_offer_no_extension_and_the_decision_asks_only_in_its_own_form(
        deployed_db, clock):
    case_id = apply(deployed_db)
    assert _offer(deployed_db, item_named(deployed_db, case_id, "accept")) is None  # Art. 32: silence = accepted
    accept(deployed_db, case_id)
    for review in [i for i in open_items(deployed_db, case_id) if i.task_spec == "review_task"]:
        assert review.due_at is not None and _offer(deployed_db, review) is None
    review_all(deployed_db, case_id)
    # The decision is extendable (Art. 42), through its own form and the head's approval: nothing beside it.
    assert _offer(deployed_db, item_named(deployed_db, case_id, "decide")) is None
    work(deployed_db, case_id, "decide", {"licence_decision": "grant"}, WINDOW)
    assert _offer(deployed_db, item_named(deployed_db, case_id, "issue")) is None  # Art. 44


def test_an_extension_posted_directly_on_acceptance_is_refused_in_chinese_and_the_deemed_acceptance_date_stays(
        deployed_db, clock):
    case_id = apply(deployed_db)
    item = item_named(deployed_db, case_id, "accept")
    deemed_before = [t.due_at for t in pending_timers(deployed_db, case_id)]
    version = case_row(deployed_db, case_id).version
    with pytest.raises(Conflict) as refused, deployed_db.transaction() as session:
        request_extension(session, WINDOW, item.id, 3, "working_days", "材料较多，需要更多时间审查")
    assert refused.value.key == "extension.not_extendable"
    assert word(refused.value, "zh", _Names()) == \
        "任务「受理审查」的办理期限依规定不能延长，不能申请延期。请在期限内办结；确有困难的，请向督办人员说明。"
    assert _extensions(deployed_db, case_id) == []
    assert case_row(deployed_db, case_id).version == version
    assert item_named(deployed_db, case_id, "accept").due_at == item.due_at
    assert [t.due_at for t in pending_timers(deployed_db, case_id)] == deemed_before == [item.due_at]


def test_a_request_on_a_limit_that_may_not_be_extended_can_be_rejected_but_not_approved(deployed_db, clock):
    """A request recorded before the rule said so (an older version, a direct row): the deadline cannot move."""
    case_id = apply(deployed_db)
    item = item_named(deployed_db, case_id, "accept")
    with deployed_db.transaction() as session:
        clock_row = session.scalars(select(SlaClock).where(SlaClock.work_item_id == item.id)).one()
        asked = SlaExtension(case_id=case_id, clock_id=clock_row.id, work_item_id=item.id, department=None,
                             amount=3.0, unit="working_days", reason="旧版本中提出", status=ExtensionStatus.PENDING,
                             requested_by=WINDOW.username, requested_at=T0)
        session.add(asked)
        session.flush()
        extension_id = asked.id
    with pytest.raises(Conflict) as refused, deployed_db.transaction() as session:
        decide_extension(session, extension_id, HEAD, approve=True)
    assert refused.value.key == "extension.not_extendable_reject"
    assert "不能批准" in word(refused.value, "zh", _Names())
    assert item_named(deployed_db, case_id, "accept").due_at == item.due_at
    with deployed_db.transaction() as session:
        decide_extension(session, extension_id, HEAD, approve=False, note="受理期限不能延长")
    assert [e.status for e in _extensions(deployed_db, case_id)] == ["rejected"]


def test_an_approved_decision_extension_moves_every_timer_of_the_decision_and_none_fires_on_the_old_date(
        deployed_db, clock):
    case_id = inspected_on_site(deployed_db, clock)
    old_due = statutory_deadline(T0, 23)
    assert item_named(deployed_db, case_id, "decide").due_at == old_due
    work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "需补充检测"}, WINDOW)
    work(deployed_db, case_id, "approve_extension", {"extension_approved": True, "extension_reason": "检测周期长"}, HEAD)
    new_due = statutory_deadline(T0, 33)  # 20 + 10 approved + 3 not counted
    decide = item_named(deployed_db, case_id, "decide")
    sla = sole_clock_of(deployed_db, decide.id)
    assert decide.due_at == sla.due_at == new_due
    # Every timer of the decision: the SLA warning (80 % of 30 working days + the pause), the SLA breach, and the
    # process's own urging timer (决定期限届满) — the breach and the urging at the new instant, none left on the old.
    timers = _timers_of(deployed_db, case_id)
    assert timers == [("sla_warning", "decide", sla.warn_at), ("bpmn", "决定期限届满", new_due),
                      ("sla_breach", "decide", new_due)]
    assert sla.warn_at > old_due
    clock.move_to(old_due + timedelta(minutes=1))
    assert fire(deployed_db) == 0
    assert "urge_decision" not in {i.task_spec for i in open_items(deployed_db, case_id)}
    assert item_named(deployed_db, case_id, "decide").sla_state == "on_time"
    clock.move_to(new_due + timedelta(minutes=1))
    fire(deployed_db)
    assert item_named(deployed_db, case_id, "urge_decision").department == "zhengwu"
    assert item_named(deployed_db, case_id, "decide").sla_state == "overdue"


# -- defect 2: steps with no time limit -------------------------------------------------------------
def test_the_heads_approval_of_an_extension_is_due_in_three_working_days_and_escalates_to_the_supervisor(
        deployed_db, clock):
    """While the head decides, the decision's clock is closed (extension asked) and its urging timer gone with
    the decide item: the approval's own limit keeps the case supervised (local choice, docs/time-limits.md)."""
    case_id = apply(deployed_db)
    accept(deployed_db, case_id)
    review_all(deployed_db, case_id)
    work(deployed_db, case_id, "decide", {"licence_decision": "extend", "decision_reason": "需补充检测"}, WINDOW)
    approval = item_named(deployed_db, case_id, "approve_extension")
    sla = sole_clock_of(deployed_db, approval.id)
    assert sla.policy_key == "licensing.approve_extension" and sla.counting == "statutory"
    assert approval.due_at == sla.due_at == statutory_deadline(T0, 3)  # Fri 27 Nov 18:00, the request day not counted
    assert [(kind, task) for kind, task, _ in _timers_of(deployed_db, case_id)] == [
        ("sla_warning", "approve_extension"), ("sla_breach", "approve_extension")]
    clock.move_to(sla.warn_at + timedelta(minutes=1))
    fire(deployed_db)
    assert item_named(deployed_db, case_id, "approve_extension").sla_state == "at_risk"
    clock.move_to(approval.due_at + timedelta(minutes=1))
    fire(deployed_db)
    assert item_named(deployed_db, case_id, "approve_extension").sla_state == "overdue"
    with deployed_db.transaction(readonly=True) as session:
        escalated = session.scalars(select(Escalation).where(Escalation.case_id == case_id)).one()
        assert (escalated.target_role, escalated.task_name) == ("supervisor", "负责人审批延期")
    # The head is reminded every working day after the breach (three times at most).
    assert [kind for kind, _, _ in _timers_of(deployed_db, case_id)] == ["sla_remind"]
    work(deployed_db, case_id, "approve_extension", {"extension_approved": True, "extension_reason": "检测周期长"}, HEAD)
    assert sole_clock_of(deployed_db, approval.id).status == "met_late"
    assert item_named(deployed_db, case_id, "decide").due_at == statutory_deadline(T0, 30)


def test_a_supplement_unanswered_for_ten_working_days_asks_the_window_to_chase_the_applicant_without_counting_time(
        deployed_db, clock):
    case_id = apply(deployed_db, {**FOOD, "materials_submitted": ["application_form"]})
    work(deployed_db, case_id, "accept", {"acceptance_decision": "supplement"}, WINDOW)
    supplement = item_named(deployed_db, case_id, "supplement")
    assert supplement.due_at is None and supplement.sla_state == "none"  # the applicant's time is not the organ's
    # The case waits on an open item and a timer the window will see: 10 working days after the notice.
    remind_at = statutory_deadline(T0, 10)
    assert [(t.name, t.due_at) for t in pending_timers(deployed_db, case_id)] == [("补正等待满10个工作日", remind_at)]
    clock.move_to(remind_at - timedelta(minutes=1))
    assert fire(deployed_db) == 0
    clock.move_to(remind_at + timedelta(minutes=1))
    assert fire(deployed_db) == 1
    chase = item_named(deployed_db, case_id, "chase_supplement")
    assert (chase.task_name, chase.role, chase.form_key) == ("催告补正", "window_staff", "lic_chase")
    # The supplement waits behind the chase (one open step, never a chase left beside a supplement that came in).
    assert [i.task_spec for i in open_items(deployed_db, case_id)] == ["chase_supplement"]
    with deployed_db.transaction(readonly=True) as session:
        assert session.scalars(select(SlaClock).where(SlaClock.case_id == case_id,
                                                      SlaClock.status == "running")).all() == []
    work(deployed_db, case_id, "chase_supplement", {"contact_note": "已电话联系申请人，承诺本周内补交"}, WINDOW)
    supplement = [i for i in open_items(deployed_db, case_id)]
    assert [i.task_spec for i in supplement] == ["supplement"] and supplement[0].due_at is None  # still not counted
    # The next reminder 10 working days after the chase.
    chased_at = remind_at + timedelta(minutes=1)
    assert [(t.name, t.due_at) for t in pending_timers(deployed_db, case_id)] == [
        ("补正等待满10个工作日", statutory_deadline(chased_at, 10))]
    clock.shift(timedelta(days=1))
    work(deployed_db, case_id, "supplement", {"materials_supplemented": case_row(deployed_db, case_id)
                                              .data["notice_items"]}, WINDOW)
    back = remind_at + timedelta(minutes=1, days=1)
    assert item_named(deployed_db, case_id, "accept").due_at == statutory_deadline(back, 5)


def test_a_supplement_answered_in_time_leaves_no_reminder_behind(deployed_db, clock):
    case_id = apply(deployed_db, {**FOOD, "materials_submitted": ["application_form"]})
    work(deployed_db, case_id, "accept", {"acceptance_decision": "supplement"}, WINDOW)
    clock.shift(timedelta(days=3))
    work(deployed_db, case_id, "supplement", {"materials_supplemented": case_row(deployed_db, case_id)
                                              .data["notice_items"]}, WINDOW)
    # The reminder went with the supplement item; what waits now is the acceptance and its deemed acceptance.
    (deemed,) = pending_timers(deployed_db, case_id)
    assert deemed.name.startswith("视为受理")
    clock.move_to(statutory_deadline(T0, 10) + timedelta(minutes=1))
    fire(deployed_db)
    assert "chase_supplement" not in {i.task_spec for i in open_items(deployed_db, case_id)}
