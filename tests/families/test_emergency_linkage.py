"""Emergency linkage: grading, parallel dispatch, on-scene messages, grade changes, reporting clocks."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.decisions import parse_dmn
from engine.errors import InvalidInput, StepRefused
from engine.forms.filling import Filler
from engine.messages.errors import NoWaitingCase
from tests.families.helpers import (
    DUTY,
    GAS_LEAK,
    T0,
    case_row,
    fire,
    item_named,
    message,
    open_items,
    pending_timers,
    start_incident,
    waiting_messages,
    work,
)


def test_grading_table_ranks_casualties_people_and_hazards_into_grades_i_to_iv():
    table = parse_dmn(open("rules/emergency_grade.dmn", "rb").read(), "rules/emergency_grade.dmn")[0]
    base = {"incident_type": "fire", "casualties": 0, "people_affected": 0, "hazardous_materials": False,
            "location_class": "road"}
    assert table.evaluate(base) == {"grade": 4}
    assert table.evaluate({**base, "casualties": 31}) == {"grade": 1}
    assert table.evaluate({**base, "casualties": 12}) == {"grade": 2}
    assert table.evaluate({**base, "people_affected": 20000}) == {"grade": 2}
    assert table.evaluate({**base, "casualties": 3}) == {"grade": 3}
    assert table.evaluate({**base, "hazardous_materials": True, "location_class": "school_hospital"}) == {"grade": 3}
    assert table.evaluate({**base, "incident_type": "collapse", "location_class": "public_venue"}) == {"grade": 3}


def test_a_grade_iv_gas_leak_dispatches_gas_and_police_in_parallel_with_minute_deadlines(deployed_db, clock):
    case_id = start_incident(deployed_db)
    case = case_row(deployed_db, case_id)
    agencies = case.data["agencies"]
    assert case.data["grade"] == 4 and case.priority == 4
    assert set(agencies) == {"gas", "police"}
    assert agencies["police"]["department"] == "gongan"
    assert datetime.fromisoformat(agencies["police"]["ack_due"]) == T0 + timedelta(minutes=1)
    assert datetime.fromisoformat(agencies["gas"]["arrive_due"]) == T0 + timedelta(minutes=30)
    # First written report (初报) within 6 hours for grade Ⅳ; no leadership phone call.
    report = item_named(deployed_db, case_id, "written_report")
    assert report.due_at == T0 + timedelta(minutes=360)
    assert "phone_report" not in {i.task_spec for i in open_items(deployed_db, case_id)}
    # The case waits for every on-scene message, and wakes at the earliest deadline.
    assert {"agency_acknowledged", "agency_arrived", "agency_finished", "incident_progress",
            "incident_reinforcement", "incident_grade_change"} <= waiting_messages(deployed_db, case_id)
    assert [t.due_at for t in pending_timers(deployed_db, case_id)] == [T0 + timedelta(minutes=1)]


def test_agencies_acknowledge_arrive_and_finish_by_message_then_close_and_review_end_the_case(deployed_db, clock):
    case_id = start_incident(deployed_db)
    for agency in ("gas", "police"):
        message(deployed_db, case_id, "agency_acknowledged", {"agency": agency})
        message(deployed_db, case_id, "agency_arrived", {"agency": agency})
    message(deployed_db, case_id, "incident_progress", {"agency": "gas", "text": "valve closed"})
    message(deployed_db, case_id, "agency_finished", {"agency": "gas", "note": "leak sealed"})
    assert "close_incident" not in {i.task_spec for i in open_items(deployed_db, case_id)}
    message(deployed_db, case_id, "agency_finished", {"agency": "police"})
    data = case_row(deployed_db, case_id).data
    assert {a: s["status"] for a, s in data["agencies"].items()} == {"gas": "finished", "police": "finished"}
    assert data["agencies"]["police"]["ack_late"] is False
    assert data["reports"][0]["text"] == "valve closed"
    work(deployed_db, case_id, "written_report", {"reported_to": "区应急管理局", "summary": "初报"}, DUTY)
    work(deployed_db, case_id, "close_incident", {"close_summary": "处置完毕"}, DUTY)
    assert waiting_messages(deployed_db, case_id) == set()
    work(deployed_db, case_id, "review_report", {"review": "响应及时"}, DUTY)
    assert case_row(deployed_db, case_id).status == "completed"


def test_a_grade_change_mid_incident_redispatches_by_the_new_grade_without_restarting(deployed_db, clock):
    case_id = start_incident(deployed_db)
    message(deployed_db, case_id, "agency_acknowledged", {"agency": "gas"})
    clock.shift(timedelta(minutes=5))
    message(deployed_db, case_id, "incident_grade_change", {"grade": 2, "reason": "12 people trapped"})
    case = case_row(deployed_db, case_id)
    agencies = case.data["agencies"]
    assert case.id == case_id and case.data["grade"] == 2 and case.priority == 2
    # Ⅱ adds fire, medical and the street office; gas keeps its acknowledgement (not re-dispatched).
    assert set(agencies) == {"gas", "police", "fire", "medical", "street_office"}
    assert agencies["gas"]["status"] == "acknowledged" and agencies["gas"]["grade"] == 4
    assert agencies["street_office"]["department"] == "jd_S03"
    assert datetime.fromisoformat(agencies["fire"]["dispatched_at"]) == T0 + timedelta(minutes=5)
    assert [h["grade"] for h in case.data["grade_history"]] == [4, 2]
    # Grade Ⅱ: district leadership by phone within 15 minutes of the change.
    phone = item_named(deployed_db, case_id, "phone_report")
    assert phone.due_at == T0 + timedelta(minutes=20)
    # Lowering the grade again dispatches nobody new and does not call leadership twice.
    message(deployed_db, case_id, "incident_grade_change", {"grade": 3, "reason": "trapped people rescued"})
    assert set(case_row(deployed_db, case_id).data["agencies"]) == set(agencies)
    assert len([i for i in open_items(deployed_db, case_id) if i.task_spec == "phone_report"]) == 1


def test_an_agency_late_to_acknowledge_or_arrive_is_escalated_when_its_deadline_timer_fires(deployed_db, clock):
    case_id = start_incident(deployed_db)
    message(deployed_db, case_id, "agency_acknowledged", {"agency": "gas"})
    clock.shift(timedelta(minutes=2))
    # The process's deadline timer, and the police's own 接警确认 clock (its 80 % warning and its breach);
    # gas acknowledged by message, which withdrew its task and stopped its clock.
    assert fire(deployed_db) == 3
    assert item_named(deployed_db, case_id, "agency_acknowledge").department == "gongan"
    escalations = case_row(deployed_db, case_id).data["escalations"]
    assert [(e["agency"], e["kind"]) for e in escalations] == [("police", "not_acknowledged")]
    clock.shift(timedelta(minutes=9))
    fire(deployed_db)
    escalations = case_row(deployed_db, case_id).data["escalations"]
    assert ("police", "not_arrived") in [(e["agency"], e["kind"]) for e in escalations]
    message(deployed_db, case_id, "agency_acknowledged", {"agency": "police"})
    assert case_row(deployed_db, case_id).data["agencies"]["police"]["ack_late"] is True


def test_grade_ii_notifies_leadership_and_schedules_daily_follow_up_reports(deployed_db, clock):
    case_id = start_incident(deployed_db, {**GAS_LEAK, "casualties": 11})
    assert case_row(deployed_db, case_id).data["grade"] == 2
    assert item_named(deployed_db, case_id, "phone_report").due_at == T0 + timedelta(minutes=15)
    assert "written_report" not in {i.task_spec for i in open_items(deployed_db, case_id)}  # after the call
    work(deployed_db, case_id, "phone_report", {"reported_to": "区长", "summary": "电话报告"}, DUTY)
    assert item_named(deployed_db, case_id, "written_report").due_at == T0 + timedelta(minutes=35)
    for agency in case_row(deployed_db, case_id).data["agencies"]:
        message(deployed_db, case_id, "agency_acknowledged", {"agency": agency})
        message(deployed_db, case_id, "agency_arrived", {"agency": agency})
    clock.shift(timedelta(hours=24, minutes=1))
    fire(deployed_db)
    followup = item_named(deployed_db, case_id, "followup_report")
    assert followup.due_at == T0 + timedelta(hours=25, minutes=1)
    assert case_row(deployed_db, case_id).data["followup_round"] == 1


def test_reinforcement_request_dispatches_the_requested_agencies_only(deployed_db, clock):
    case_id = start_incident(deployed_db)
    message(deployed_db, case_id, "incident_reinforcement", {"agencies": ["power"], "reason": "cut the power"})
    agencies = case_row(deployed_db, case_id).data["agencies"]
    assert set(agencies) == {"gas", "police", "power"} and agencies["power"]["department"] == "gongdian"


def test_a_message_its_form_refuses_or_for_an_agency_not_dispatched_changes_nothing(deployed_db, clock):
    case_id = start_incident(deployed_db)
    before = case_row(deployed_db, case_id).version
    with pytest.raises(InvalidInput) as refused:
        message(deployed_db, case_id, "incident_grade_change", {"grade": 7})
    assert set(refused.value.details) == {"grade", "reason"}
    # An agency that was not dispatched is refused beside the agency field, in words: not a failed script.
    with pytest.raises(StepRefused, match="was not dispatched") as not_dispatched:
        message(deployed_db, case_id, "agency_arrived", {"agency": "water"})
    assert "未派遣" in not_dispatched.value.details["agency"][0]
    # So is on-scene progress reported in the name of an agency that was not dispatched.
    with pytest.raises(StepRefused, match="was not dispatched"):
        message(deployed_db, case_id, "incident_progress", {"agency": "water", "text": "水管爆裂"})
    assert case_row(deployed_db, case_id).version == before


def test_on_scene_progress_is_recorded_with_its_agency_or_with_none(deployed_db, clock):
    case_id = start_incident(deployed_db)  # a gas leak: gas and police dispatched
    message(deployed_db, case_id, "incident_progress", {"agency": "gas", "text": "已关闭阀门"})
    message(deployed_db, case_id, "incident_progress", {"text": "现场已疏散"})
    reports = case_row(deployed_db, case_id).data["reports"]
    assert [(r["agency"], r["text"]) for r in reports[-2:]] == [("gas", "已关闭阀门"), (None, "现场已疏散")]


def test_a_message_nobody_waits_for_is_a_clear_error(deployed_db, clock):
    case_id = start_incident(deployed_db)
    with pytest.raises(NoWaitingCase, match="no running case waits for message 'agency_departed'"):
        message(deployed_db, case_id, "agency_departed", {"agency": "gas"})


def test_the_grade_may_rise_and_fall_many_times_without_breaking_the_incident(deployed_db, clock):
    case_id = start_incident(deployed_db)
    grades = [2, 3, 2, 4, 1, 2, 3, 2]
    for grade in grades:
        clock.shift(timedelta(minutes=3))
        message(deployed_db, case_id, "incident_grade_change", {"grade": grade, "reason": f"now {grade}"})
        case = case_row(deployed_db, case_id)
        assert case.status == "running" and case.data["grade"] == grade
    history = case_row(deployed_db, case_id).data["grade_history"]
    assert [h["grade"] for h in history] == [4, *grades]
    assert open_items(deployed_db, case_id), "the incident still has work open"


def test_a_grade_change_that_arrives_after_a_deadline_passed_runs_the_incident_loop_once(deployed_db, clock):
    case_id = start_incident(deployed_db)
    clock.shift(timedelta(minutes=5))  # the police's acknowledge deadline passed; no worker fired its timer yet
    message(deployed_db, case_id, "incident_grade_change", {"grade": 2, "reason": "12 people trapped"})
    message(deployed_db, case_id, "incident_grade_change", {"grade": 3, "reason": "trapped people rescued"})
    data = case_row(deployed_db, case_id).data
    # One event wins at the waiting gateway: no second copy of the loop re-dispatching from stale data.
    assert [entry["agencies"] for entry in data["dispatch_log"]] == [
        ["gas", "police"], ["fire", "medical", "street_office"], []]
    assert [item.department for item in open_items(deployed_db, case_id)
            if item.task_spec == "agency_acknowledge"].count("xiaofang") == 1
    # The deadline still acted, at the next pass of the loop.
    assert ("police", "not_acknowledged") in [(e["agency"], e["kind"]) for e in data["escalations"]]
    assert len(pending_timers(deployed_db, case_id)) == 1


@pytest.mark.parametrize(("reports", "repeated", "words"), [
    ([("agency_acknowledged", {})], "agency_acknowledged", "该单位已报告接警，无需重复报告"),
    ([("agency_arrived", {})], "agency_acknowledged", "该单位已报告到场，无需再报告接警"),
    ([("agency_arrived", {})], "agency_arrived", "该单位已报告到场，无需重复报告"),
    ([("agency_finished", {"note": "已处置"})], "agency_acknowledged", "该单位已报告处置完毕"),
    ([("agency_finished", {"note": "已处置"})], "agency_arrived", "该单位已报告处置完毕，无需再报告到场"),
    ([("agency_finished", {"note": "已处置"})], "agency_finished", "该单位已报告处置完毕，无需重复报告"),
], ids=["ack-twice", "ack-after-arrival", "arrive-twice", "ack-after-finish", "arrive-after-finish",
        "finish-twice"])
def test_an_agency_report_that_changes_nothing_is_refused_beside_the_agency_and_changes_nothing(
        deployed_db, clock, reports, repeated, words):
    case_id = start_incident(deployed_db)  # gas and police dispatched
    for name, payload in reports:
        message(deployed_db, case_id, name, {"agency": "police", **payload})
    before = case_row(deployed_db, case_id)
    with pytest.raises(StepRefused, match="already") as refused:
        message(deployed_db, case_id, repeated, {"agency": "police", "note": "再次报告"})
    assert words in refused.value.details["agency"][0]
    after = case_row(deployed_db, case_id)
    assert (after.version, after.data) == (before.version, before.data)
    # The same report for another agency, which it does change, is still taken.
    message(deployed_db, case_id, repeated, {"agency": "gas"})
    assert case_row(deployed_db, case_id).data["agencies"]["gas"]["status"] != "dispatched"


def test_a_duty_officer_may_not_type_the_originating_case_and_no_incident_is_opened(deployed_db, clock):
    """来源案件 is filled only by the social event's message that starts the linkage (ui:filledBy: message):
    a typed one would name a case that waits for nothing, and the incident could never be closed."""
    from engine.commands.cases import start
    from engine.store.models.cases import Case

    with deployed_db.transaction(readonly=True) as session:
        before = session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(InvalidInput) as refused, deployed_db.transaction() as session:
        start(session, DUTY, "emergency_linkage", {**GAS_LEAK, "origin_case": "不存在的案件"})
    assert list(refused.value.details) == ["origin_case"]
    assert "来源案件" in refused.value.details["origin_case"][0] and "不能手工填写" in refused.value.details["origin_case"][0]
    with deployed_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == before


def test_a_case_to_notify_that_waits_for_nothing_is_refused_in_words_naming_it(deployed_db, clock):
    """A message start names the social event to tell, but that case no longer waits (or an older version
    let a person type it): closing then notifies a case that does not wait. The step is refused, nothing
    changes, and the words say which case could not be told (not 操作未能完成。)."""
    from engine.errors import Conflict
    from web.error_texts import word

    class Names:
        def __getattr__(self, _name):
            return lambda value: value

    case_id = start_incident(deployed_db, {**GAS_LEAK, "origin_case": "LH-2026-999999"}, Filler.MESSAGE)
    for agency in ("gas", "police"):
        message(deployed_db, case_id, "agency_acknowledged", {"agency": agency})
        message(deployed_db, case_id, "agency_arrived", {"agency": agency})
        message(deployed_db, case_id, "agency_finished", {"agency": agency})
    work(deployed_db, case_id, "written_report", {"reported_to": "区应急管理局", "summary": "初报"}, DUTY)
    work(deployed_db, case_id, "close_incident", {"close_summary": "处置完毕"}, DUTY)
    before = case_row(deployed_db, case_id).version
    with pytest.raises(Conflict) as refused:
        work(deployed_db, case_id, "review_report", {"review": "响应及时"}, DUTY)
    assert refused.value.key == "message.nobody_waits"
    words = word(refused.value, "zh", Names())
    assert "LH-2026-999999" in words and "origin_case" not in words
    assert case_row(deployed_db, case_id).version == before
