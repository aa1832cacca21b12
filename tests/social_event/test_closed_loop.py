"""One case through every branch of processes/social_event.bpmn, driven from the engine services."""
from __future__ import annotations

from datetime import datetime

import pytest

from engine.commands.tasks import claim, complete, transfer, unclaim
from engine.errors import Forbidden, InvalidInput
from engine.org.service import actor_for
from engine.store.database import Database

from .helpers import act, actions, case_row, only_item, open_items, start


def test_a_report_cancelled_as_duplicate_ends_cancelled_with_its_reason_in_the_trail(deployed_db: Database) -> None:
    case_id = start(deployed_db)
    register = only_item(deployed_db, case_id, "register")
    assert (register.role, register.department) == ("dispatcher", None)
    act(deployed_db, register.id, "dispatcher1",
        {"register_decision": "cancel", "cancel_reason": "duplicate", "cancel_note": "与LH-2026-000001重复"})
    case = case_row(deployed_db, case_id)
    assert case.status == "cancelled" and case.closed_at is not None
    assert case.data["cancel_reason"] == "duplicate"
    assert open_items(deployed_db, case_id) == []
    assert actions(deployed_db, case_id)[-1] == "case_cancelled"


def test_cancelling_without_a_reason_is_refused_and_changes_nothing(deployed_db: Database) -> None:
    case_id = start(deployed_db)
    register = only_item(deployed_db, case_id, "register")
    before = actions(deployed_db, case_id)
    with pytest.raises(InvalidInput) as refused, deployed_db.transaction() as session:
        complete(session, actor_for(session, "dispatcher1"), register.id, {"register_decision": "cancel"})
    assert set(refused.value.details) == {"cancel_reason", "cancel_note"}
    assert actions(deployed_db, case_id) == before
    assert only_item(deployed_db, case_id, "register").id == register.id


def _due(item_due: datetime | None) -> datetime:
    assert item_due is not None
    return item_due


def test_one_case_takes_every_branch_from_report_to_evaluation(deployed_db: Database) -> None:
    db = deployed_db
    case_id = start(db)  # hotline report: exposed rubbish (0102) in 东门 S03, proposed unit 环卫 huanwei
    case = case_row(db, case_id)
    assert (case.street, case.grid_cell, case.category, case.status) == ("S03", "S03C01G01", "0102", "running")

    # 立案
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    dispatch = only_item(db, case_id, "dispatch")
    assert dispatch.role == "dispatcher"
    case = case_row(db, case_id)
    assert case.data["proposed_department"] == "huanwei" and case.data["limit_value"] == 4
    assert case.data["limit_unit"] == "working_hours" and case.data["emergency_linked"] is False

    # 派遣: the dispatcher overrides the proposal, and must say why
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        complete(session, actor_for(session, "dispatcher1"), dispatch.id, {"dispatch_choice": "override", "override_department": "chengguan"})
    assert "override_reason" in refused.value.details
    act(db, dispatch.id, "dispatcher1", {"dispatch_choice": "override", "override_department": "chengguan",
                                        "override_reason": "垃圾为商户违规倾倒，先由执法查处"})
    handle = only_item(db, case_id, "handle")
    assert (handle.role, handle.department, handle.assignee) == ("handler", "chengguan", None)
    assert handle.due_at is not None
    assert case_row(db, case_id).department == "chengguan"

    # 退回 #1 needs a reason; then the dispatcher re-dispatches (to the proposal this time)
    with pytest.raises(InvalidInput) as refused, db.transaction() as session:
        complete(session, actor_for(session, "chengguan_h1"), handle.id, {"handle_decision": "return"})
    assert "return_reason" in refused.value.details
    act(db, handle.id, "chengguan_h1", {"handle_decision": "return", "return_reason": "生活垃圾清运属环卫职责"})
    redispatch = only_item(db, case_id, "dispatch")
    assert case_row(db, case_id).data["return_count"] == 1
    act(db, redispatch.id, "dispatcher2", {"dispatch_choice": "accept", "assisting_departments": ["shizheng", "jd_S03"]})
    handle = only_item(db, case_id, "handle")
    assert handle.department == "huanwei"

    # claim, unclaim, transfer inside the department (with a reason), all audited
    with db.transaction() as session:
        claim(session, actor_for(session, "huanwei_h1"), handle.id)
    with db.transaction() as session:
        unclaim(session, actor_for(session, "huanwei_h1"), handle.id)
    with db.transaction() as session:
        claim(session, actor_for(session, "huanwei_h1"), handle.id)
    with pytest.raises(Forbidden), db.transaction() as session:
        transfer(session, actor_for(session, "huanwei_h1"), handle.id, "chengguan_h2", "换人")
    with db.transaction() as session:
        transfer(session, actor_for(session, "huanwei_h1"), handle.id, "huanwei_h2", "h1 外出培训")
    assert only_item(db, case_id, "handle").assignee == "huanwei_h2"

    # 退回 #2 goes to a supervisor, who arbitrates
    with db.transaction() as session:
        complete(session, actor_for(session, "huanwei_h2"), handle.id, {"handle_decision": "return", "return_reason": "垃圾在商户红线内，应由城管查处"})
    arbitrate = only_item(db, case_id, "arbitrate")
    assert (arbitrate.role, arbitrate.department) == ("supervisor", None)
    act(db, arbitrate.id, "supervisor1", {"arbitration_department": "huanwei",
                                          "arbitration_reason": "依权责清单，暴露垃圾由环卫清运"})
    handle = only_item(db, case_id, "handle")
    assert handle.department == "huanwei"
    first_due = _due(handle.due_at)

    # 延期 rejected: the deadline stays
    act(db, handle.id, "huanwei_h1", {"handle_decision": "extension", "extension_value": 1,
                                      "extension_unit": "working_days", "extension_reason": "清运车辆检修"})
    review = only_item(db, case_id, "review_extension")
    assert review.role == "supervisor"
    with pytest.raises(InvalidInput), db.transaction() as session:
        complete(session, actor_for(session, "supervisor2"), review.id, {"extension_decision": "reject"})
    act(db, review.id, "supervisor2", {"extension_decision": "reject", "extension_comment": "可调用备用车辆"})
    handle = only_item(db, case_id, "handle")
    assert _due(handle.due_at) == first_due

    # 延期 approved: the deadline moves by two working hours
    act(db, handle.id, "huanwei_h1", {"handle_decision": "extension", "extension_value": 2,
                                      "extension_unit": "working_hours", "extension_reason": "需夜间错峰清运"})
    act(db, only_item(db, case_id, "review_extension").id, "supervisor1", {"extension_decision": "approve"})
    handle = only_item(db, case_id, "handle")
    assert _due(handle.due_at) > first_due
    log = case_row(db, case_id).data["extension_log"]
    assert [entry["decision"] for entry in log] == ["reject", "approve"]

    # 协办: the lead unit and each assisting unit named at (re-)dispatch get their own task
    act(db, handle.id, "huanwei_h1", {"handle_decision": "accept"})
    items = {i.department: i for i in open_items(db, case_id)}
    assert sorted((i.task_spec, d) for d, i in items.items()) == [
        ("assist [child]", "jd_S03"), ("assist [child]", "shizheng"), ("feedback", "huanwei")]
    act(db, items["shizheng"].id, "shizheng_h1", {"assist_summary": "已修复破损垃圾桶"})
    act(db, items["huanwei"].id, "huanwei_h1", {"result_summary": "已清运全部垃圾", "result_photos": [
        {"name": "after.jpg", "content_type": "image/jpeg", "size": 1024}]})
    assert [i.task_spec for i in open_items(db, case_id)] == ["assist [child]"]
    act(db, items["jd_S03"].id, "jd_s03_h2", {"assist_summary": "街道已约谈相关商户"})

    # 核查 by the grid worker of the cell; not solved twice -> two reworks, counted
    for rework_number in (1, 2):
        verify = only_item(db, case_id, "verify")
        assert (verify.role, verify.grid_cell, verify.department) == ("grid_worker", "S03C01G01", None)
        act(db, verify.id, "gw_s03c01g01", {"verify_result": "not_solved", "verify_note": "仍有散落垃圾"})
        rework = only_item(db, case_id, "rework")
        assert rework.department == "huanwei"
        assert case_row(db, case_id).data["rework_count"] == rework_number
        act(db, rework.id, "huanwei_h2", {"result_summary": f"第{rework_number}次返工，已彻底清理"})
    act(db, only_item(db, case_id, "verify").id, "gw_s03c01g01", {"verify_result": "solved"})

    # 结案 by the dispatcher, then the hotline calls the citizen back
    close = only_item(db, case_id, "close")
    assert close.role == "dispatcher"
    act(db, close.id, "dispatcher1", {"closure_confirmed": True})
    evaluate = only_item(db, case_id, "evaluate")
    assert (evaluate.role, evaluate.candidate_users) == ("hotline", ["hotline1"])
    act(db, evaluate.id, "hotline1", {"satisfaction": "basically_satisfied"})

    case = case_row(db, case_id)
    assert case.status == "completed" and case.closed_at is not None
    assert case.data["outcome"] == "closed"
    assert (case.data["return_count"], case.data["arbitration_count"], case.data["rework_count"]) == (2, 1, 2)
    assert case.data["dispatch_count"] == 2 and case.data["extension_count"] == 2
    trail = actions(db, case_id)
    for action in ("case_started", "task_claimed", "task_unclaimed", "task_transferred", "task_completed",
                   "case_completed"):
        assert action in trail
    assert trail.count("task_completed") == 21  # one per human step above


def test_co_handling_gives_the_lead_and_each_assisting_unit_its_own_task(deployed_db: Database) -> None:
    db = deployed_db
    case_id = start(db, category="0404", grid_cell="S05C01G01", report_channel="grid_worker",
                    username="gw_s05c01g01", caller_name=None, caller_phone=None)
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1",
        {"dispatch_choice": "accept", "assisting_departments": ["jd_S05", "jiaotong", "gongan"]})
    handle = only_item(db, case_id, "handle")
    assert handle.department == "gongan"
    act(db, handle.id, "gongan_h1", {"handle_decision": "accept"})
    items = open_items(db, case_id)
    # the lead unit is not asked to assist itself
    assert sorted((i.task_spec, i.department) for i in items) == [
        ("assist [child]", "jd_S05"), ("assist [child]", "jiaotong"), ("feedback", "gongan")]
    by_department = {i.department: i for i in items}
    act(db, by_department["jiaotong"].id, "jiaotong_h1", {"assist_summary": "交警配合疏导"})
    act(db, by_department["gongan"].id, "gongan_h2", {"result_summary": "已对违停车辆贴单"})
    assert [i.task_spec for i in open_items(db, case_id)] == ["assist [child]"]
    act(db, by_department["jd_S05"].id, "jd_s05_h1", {"assist_summary": "街道执法队劝离"})
    verify = only_item(db, case_id, "verify")
    assert verify.grid_cell == "S05C01G01"
    reports = case_row(db, case_id).data["assist_reports"]
    assert sorted(r["department"] for r in reports) == ["jd_S05", "jiaotong"]
    act(db, verify.id, "gw_s05c01g01", {"verify_result": "solved"})
    act(db, only_item(db, case_id, "close").id, "dispatcher1", {"closure_confirmed": True})
    # a grid worker's own report is not called back
    assert case_row(db, case_id).status == "completed"


def test_an_emergency_category_takes_the_marked_emergency_branch(deployed_db: Database) -> None:
    case_id = start(deployed_db, category="0503", grid_cell="S04C01G01")
    act(deployed_db, only_item(deployed_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    data = case_row(deployed_db, case_id).data
    assert data["emergency_linked"] is True and data["emergency_requested"] is True
    # Issue 6: the branch starts a linked emergency case and waits for it (tests/families/test_crossing.py).
    assert data["incident_type"] == "gas_leak" and "case_linked" in actions(deployed_db, case_id)


def test_the_street_follows_from_the_grid_cell_and_a_wrong_or_unknown_one_is_refused(deployed_db: Database) -> None:
    from engine.cases.territory import with_territory

    with deployed_db.transaction(readonly=True) as session:
        assert with_territory(session, {"grid_cell": "S02C03G01"})["street"] == "S02"
        assert with_territory(session, {"grid_cell": "S02C03G01"})["community"] == "S02C03"
        assert with_territory(session, {"title": "no place"}) == {"title": "no place"}
        with pytest.raises(InvalidInput):
            with_territory(session, {"grid_cell": "S09C01G01"})
        with pytest.raises(InvalidInput):
            with_territory(session, {"grid_cell": "S02C03G01", "street": "S01"})
