"""私搭乱建 (catalogue 0101) is handled under a staged limit (DOMAIN.md): stop work within 4 working hours,
the penalty decided within 7 working days of that, the structure demolished within 20 working days of the
penalty. The handler records each stage done on the task; the next stage counts from that moment, each
stage has its own deadline, warning and breach. Other subcategories keep their single limit."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from sqlalchemy import select

from engine.commands.tasks import claim
from engine.commands.tasks import stage_done as advance_stage_for_task
from engine.commands.timers import fire_due
from engine.config import PROJECT_ROOT
from engine.errors import Conflict, Forbidden, NotFound
from engine.org.service import actor_for
from engine.sla.task_stages import task_stage
from engine.store.database import Database
from engine.store.models.sla import Escalation, SlaClock
from engine.store.models.tasks import WorkItem
from tests.sla.helpers import clock_of, item_of

from .helpers import act, actions, case_row, only_item, open_items, start

SH = ZoneInfo("Asia/Shanghai")
STRUCTURE = {"title": "城东社区楼顶私搭乱建", "category": "0101", "grid_cell": "S03C03G02",
             "address": "城东社区东门北路28栋天台", "description": "天台新搭建彩钢棚约30平方米"}
HANDLER, COLLEAGUE, OTHER_UNIT = "jd_s03_h1", "jd_s03_h2", "huanwei_h1"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def _dispatched(db: Database, at: datetime, category: str = "0101", **dispatch: object) -> int:
    """Reported and registered an hour before `at`, dispatched at `at` (the clock starts there)."""
    report = STRUCTURE if category == "0101" else {"category": category}
    with time_machine.travel(at.replace(hour=at.hour - 1), tick=False):
        case_id = start(db, **report)
        act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    with time_machine.travel(at, tick=False):
        act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept", **dispatch})
    return case_id




def _claim(db: Database, item_id: str, username: str = HANDLER) -> None:
    with db.transaction() as session:
        claim(session, actor_for(session, username), item_id)


def _stage_done(db: Database, item_id: str, at: datetime, username: str = HANDLER, note: str = "") -> SlaClock:
    with time_machine.travel(at, tick=False), db.transaction() as session:
        clock = advance_stage_for_task(session, actor_for(session, username), item_id, note)
        session.flush()
        session.expunge(clock)
        return clock


def test_handling_an_illegal_structure_starts_the_stop_work_stage_with_4_working_hours(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    clock = clock_of(deployed_db, handle.id)
    assert (clock.policy_key, clock.stage, clock.stage_name) == ("social_event.disposal_0101", 0, "停工")
    assert (clock.limit_amount, clock.unit, clock.started_at) == (4, "working_hours", sh(2026, 10, 12, 10, 0))
    assert handle.due_at == clock.due_at == sh(2026, 10, 12, 16, 0)  # 10-12, 14-16
    with deployed_db.transaction(readonly=True) as session:
        stage = task_stage(session, session.get(WorkItem, handle.id))
    assert stage is not None
    assert (stage.number, stage.count, stage.name, stage.next_name) == (1, 3, "停工", "处罚")


def test_each_stage_counts_from_the_moment_the_one_before_was_done_in_working_time(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 9, 29, 10, 0))  # Tue, before the National Day holiday
    handle = only_item(deployed_db, case_id, "handle")
    with time_machine.travel(sh(2026, 9, 29, 11, 0), tick=False):
        act(deployed_db, handle.id, HANDLER, {"handle_decision": "accept"})
    feedback = only_item(deployed_db, case_id, "feedback")
    assert (clock_of(deployed_db, feedback.id).stage_name, feedback.due_at) == ("停工", sh(2026, 9, 29, 16, 0))
    _claim(deployed_db, feedback.id)
    penalty = _stage_done(deployed_db, feedback.id, sh(2026, 9, 29, 15, 0), note="已责令停工")
    # 7 working days from Tue 29 Sep 15:00: Wed 30 Sep, (1-7 Oct holiday), Thu 8, Fri 9, Sat 10 (调休 workday),
    # Mon 12, Tue 13, Wed 14 Oct 15:00.
    assert (penalty.stage_name, penalty.limit_amount, penalty.unit) == ("处罚", 7, "working_days")
    assert (penalty.started_at, penalty.due_at) == (sh(2026, 9, 29, 15, 0), sh(2026, 10, 14, 15, 0))
    assert item_of(deployed_db, feedback.id).due_at == sh(2026, 10, 14, 15, 0)
    demolition = _stage_done(deployed_db, feedback.id, sh(2026, 10, 13, 10, 0))
    # 20 working days from Tue 13 Oct 10:00: 14-16, 19-23, 26-30 Oct, 2-6, 9-10 Nov → Tue 10 Nov 10:00.
    assert (demolition.stage_name, demolition.limit_amount, demolition.unit) == ("拆除", 20, "working_days")
    assert demolition.due_at == sh(2026, 11, 10, 10, 0)
    with deployed_db.transaction(readonly=True) as session:
        stops = session.scalars(select(SlaClock).where(SlaClock.work_item_id == feedback.id)
                                .order_by(SlaClock.id)).all()
        assert [(c.stage_name, c.status) for c in stops] == [("停工", "met"), ("处罚", "met"), ("拆除", "running")]
        assert [h["name"] for h in stops[-1].stage_history] == ["停工", "处罚"]
    assert actions(deployed_db, case_id).count("sla_stage_done") == 2


def test_a_stage_done_on_the_handle_step_carries_over_to_the_feedback_step(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    _claim(deployed_db, handle.id)
    _stage_done(deployed_db, handle.id, sh(2026, 10, 12, 11, 0))
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        act(deployed_db, handle.id, HANDLER, {"handle_decision": "accept"})
    feedback = only_item(deployed_db, case_id, "feedback")
    clock = clock_of(deployed_db, feedback.id)
    # Mon 12 Oct 11:00 + 7 working days = Wed 21 Oct 11:00, not a fresh 停工 from the dispatch.
    assert (clock.stage_name, clock.started_at, feedback.due_at) == ("处罚", sh(2026, 10, 12, 11, 0),
                                                                     sh(2026, 10, 21, 11, 0))


def test_assisting_units_move_to_the_next_stage_with_the_lead_unit(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0), assisting_departments=["chengguan"])
    with time_machine.travel(sh(2026, 10, 12, 10, 30), tick=False):
        act(deployed_db, only_item(deployed_db, case_id, "handle").id, HANDLER, {"handle_decision": "accept"})
    items = {i.task_spec.split(" ")[0]: i for i in open_items(deployed_db, case_id)}
    assert set(items) == {"feedback", "assist"}
    _claim(deployed_db, items["feedback"].id)
    _stage_done(deployed_db, items["feedback"].id, sh(2026, 10, 12, 11, 0))
    assert {clock_of(deployed_db, i.id).stage_name for i in items.values()} == {"处罚"}
    assert {item_of(deployed_db, i.id).due_at for i in items.values()} == {sh(2026, 10, 21, 11, 0)}


def test_a_missed_stage_raises_the_breach_of_that_stage_only(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        assert fire_due(deployed_db, "w1") == 2  # the stop-work warning and breach
    assert item_of(deployed_db, handle.id).sla_state == "overdue"
    _claim(deployed_db, handle.id)
    penalty = _stage_done(deployed_db, handle.id, sh(2026, 10, 13, 10, 0))  # work stopped, a day late
    with deployed_db.transaction(readonly=True) as session:
        stop = session.scalars(select(SlaClock).where(SlaClock.work_item_id == handle.id)
                               .order_by(SlaClock.id)).first()
        assert (stop.stage_name, stop.status) == ("停工", "met_late")
        escalations = session.scalars(select(Escalation).where(Escalation.case_id == case_id)).all()
        assert [(e.reason, e.target_role) for e in escalations] == [("stage_breach", "supervisor")]
    # The penalty stage starts clean: on time, its own deadline, no breach carried over.
    assert (penalty.stage_name, penalty.breached_at, penalty.warned_at) == ("处罚", None, None)
    assert item_of(deployed_db, handle.id).sla_state == "on_time"
    with time_machine.travel(sh(2026, 10, 20, 9, 0), tick=False):
        assert fire_due(deployed_db, "w1") == 0  # the old stage's timers are gone
    assert actions(deployed_db, case_id).count("sla_escalated") == 1


def test_advancing_past_the_last_stage_is_refused_and_changes_nothing(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    _claim(deployed_db, handle.id)
    _stage_done(deployed_db, handle.id, sh(2026, 10, 12, 11, 0))
    last = _stage_done(deployed_db, handle.id, sh(2026, 10, 13, 11, 0))
    assert last.stage_name == "拆除"
    with pytest.raises(Conflict, match="拆除 is the last stage"), \
            time_machine.travel(sh(2026, 10, 14, 11, 0), tick=False), deployed_db.transaction() as session:
        advance_stage_for_task(session, actor_for(session, HANDLER), handle.id)
    assert (clock_of(deployed_db, handle.id).id, clock_of(deployed_db, handle.id).status) == (last.id, "running")
    assert actions(deployed_db, case_id).count("sla_stage_done") == 2


@pytest.mark.parametrize(("who", "refusal"), [(COLLEAGUE, Forbidden), (OTHER_UNIT, NotFound)])
def test_someone_who_may_not_work_the_task_cannot_mark_a_stage_done(deployed_db: Database, who: str,
                                                                    refusal: type[Exception]) -> None:
    """A colleague sees the claimed task but may not work it (403); another unit does not see it (404)."""
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    _claim(deployed_db, handle.id)  # claimed: the task is the assignee's alone, even within the unit
    before = clock_of(deployed_db, handle.id)
    with pytest.raises(refusal), deployed_db.transaction() as session:
        advance_stage_for_task(session, actor_for(session, who), handle.id)
    after = clock_of(deployed_db, handle.id)
    assert (after.id, after.stage_name, after.due_at) == (before.id, "停工", before.due_at)
    assert "sla_stage_done" not in actions(deployed_db, case_id)


def test_other_subcategories_keep_their_single_limit(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0), category="0102")  # 暴露垃圾: 4 working hours
    handle = only_item(deployed_db, case_id, "handle")
    clock = clock_of(deployed_db, handle.id)
    assert (clock.policy_key, clock.stage_name, handle.due_at) == ("social_event.disposal", None,
                                                                   sh(2026, 10, 12, 16, 0))
    with deployed_db.transaction(readonly=True) as session:
        assert task_stage(session, session.get(WorkItem, handle.id)) is None
    _claim(deployed_db, handle.id, "huanwei_h1")
    with pytest.raises(Conflict, match="no stages"), deployed_db.transaction() as session:
        advance_stage_for_task(session, actor_for(session, "huanwei_h1"), handle.id)
    assert clock_of(deployed_db, handle.id).id == clock.id


def test_the_catalogue_row_of_0101_is_the_first_stage_of_the_staged_policy() -> None:
    policies = yaml.safe_load((PROJECT_ROOT / "rules/sla/social_event.yaml").read_text(encoding="utf-8"))["policies"]
    staged = next(p for p in policies if p.get("category") == "0101")
    assert [(s["name"], s["limit"], s["unit"]) for s in staged["stages"]] == [
        ("停工", 4, "working_hours"), ("处罚", 7, "working_days"), ("拆除", 20, "working_days")]
    catalogue = (PROJECT_ROOT / "rules/social_event_catalogue.dmn").read_text(encoding="utf-8")
    row = catalogue[catalogue.index('<rule id="c0101">'):catalogue.index('<rule id="c0102">')]
    assert "<text>4</text>" in row and '<text>"working_hours"</text>' in row


def test_the_cli_marks_a_stage_done_and_refuses_past_the_last_in_one_line(cli_after_demo_init) -> None:
    cli = cli_after_demo_init
    report = json.dumps({**STRUCTURE, "report_channel": "grid_worker"}, ensure_ascii=False)
    started = json.loads(cli("start", "social_event", "--data", report, "--user", "dispatcher1", "--json").stdout)
    register = started["tasks"][0]["id"]
    dispatch = json.loads(cli("complete", register, "--data", '{"register_decision": "register"}',
                              "--user", "dispatcher1", "--json").stdout)["tasks"][0]["id"]
    handle = json.loads(cli("complete", dispatch, "--data", '{"dispatch_choice": "accept"}',
                            "--user", "dispatcher1", "--json").stdout)["tasks"][0]["id"]
    refused = cli("stage-done", handle, "--user", OTHER_UNIT)
    assert refused.returncode != 0 and refused.stderr.startswith("error: not_found")
    penalty = json.loads(cli("stage-done", handle, "--user", HANDLER, "--note", "已责令停工", "--json").stdout)
    assert (penalty["stage"], penalty["name"]) == (2, "处罚")
    assert json.loads(cli("stage-done", handle, "--user", HANDLER, "--json").stdout)["name"] == "拆除"
    last = cli("stage-done", handle, "--user", HANDLER)
    assert last.returncode != 0 and last.stderr.strip().splitlines() == [
        f"error: conflict: 拆除 is the last stage of the time limit on case {started['business_key']}; "
        "completing the task ends it"]


# -- rework (返工) after a failed verification resumes the staged plan ------------------------------------
GRID_WORKER = "gw_s03c03g02"  # the grid worker of STRUCTURE's cell, who verifies on site


def _reported_back(db: Database, case_id: int, at: datetime) -> None:
    """The unit completes handle (if still open) and feedback at `at`, whatever stage the limit is on."""
    with time_machine.travel(at, tick=False):
        if [i.task_spec for i in open_items(db, case_id)] == ["handle"]:
            act(db, only_item(db, case_id, "handle").id, HANDLER, {"handle_decision": "accept"})
        act(db, only_item(db, case_id, "feedback").id, HANDLER, {"result_summary": "已按要求处置完毕"})


def _not_solved(db: Database, case_id: int, at: datetime) -> WorkItem:
    """The grid worker finds the structure still there at `at`; the rework task opens (is dispatched) then."""
    with time_machine.travel(at, tick=False):
        act(db, only_item(db, case_id, "verify").id, GRID_WORKER,
            {"verify_result": "not_solved", "verify_note": "彩钢棚仍在"})
    return only_item(db, case_id, "rework")


def test_a_rework_resumes_the_stage_the_handling_had_not_achieved_with_its_whole_limit_from_the_rework(
        deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    _claim(deployed_db, handle.id)
    _stage_done(deployed_db, handle.id, sh(2026, 10, 12, 11, 0))  # work stopped: the penalty stage runs
    _reported_back(deployed_db, case_id, sh(2026, 10, 13, 10, 0))  # reported back during 处罚
    rework = _not_solved(deployed_db, case_id, sh(2026, 10, 13, 14, 0))
    clock = clock_of(deployed_db, rework.id)
    # Not the catalogue's 4 working hours, not 停工 again, not the penalty deadline left over from the
    # handling (Wed 21 Oct 11:00): 处罚's 7 working days from the rework, Tue 13 Oct 14:00 → Thu 22 Oct
    # 12:00 (the end of that morning is the same working instant as 14:00: the lunch break does not count).
    assert (clock.policy_key, clock.stage, clock.stage_name) == ("social_event.rework_0101", 1, "处罚")
    assert (clock.limit_amount, clock.unit, clock.started_at) == (7, "working_days", sh(2026, 10, 13, 14, 0))
    assert rework.due_at == clock.due_at == sh(2026, 10, 22, 12, 0)
    assert [h["name"] for h in clock.stage_history] == ["停工"]  # done before, and stays done
    with deployed_db.transaction(readonly=True) as session:
        stage = task_stage(session, session.get(WorkItem, rework.id))
    assert stage is not None
    assert (stage.number, stage.count, stage.name, stage.next_name) == (2, 3, "处罚", "拆除")
    assert [d["name"] for d in stage.done] == ["停工"]


def test_a_rework_after_handling_that_never_stopped_the_work_starts_at_stop_work(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    _reported_back(deployed_db, case_id, sh(2026, 10, 12, 11, 0))  # no stage marked done
    rework = _not_solved(deployed_db, case_id, sh(2026, 10, 12, 15, 0))
    clock = clock_of(deployed_db, rework.id)
    assert (clock.policy_key, clock.stage_name, clock.started_at) == ("social_event.rework_0101", "停工",
                                                                     sh(2026, 10, 12, 15, 0))
    assert (clock.stage_history, rework.due_at) == ([], sh(2026, 10, 13, 10, 0))  # 15-18, then 9-10 next day


def test_stages_done_on_a_rework_carry_over_to_the_next_rework(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    _reported_back(deployed_db, case_id, sh(2026, 10, 12, 11, 0))
    first = _not_solved(deployed_db, case_id, sh(2026, 10, 12, 15, 0))
    _claim(deployed_db, first.id)
    penalty = _stage_done(deployed_db, first.id, sh(2026, 10, 12, 16, 0), note="已责令停工")
    # The handler advances the rework like handle: 7 working days from Mon 12 Oct 16:00.
    assert (penalty.policy_key, penalty.stage_name, penalty.due_at) == ("social_event.rework_0101", "处罚",
                                                                       sh(2026, 10, 21, 16, 0))
    with time_machine.travel(sh(2026, 10, 14, 9, 0), tick=False):
        act(deployed_db, first.id, HANDLER, {"result_summary": "已下达处罚决定书"})
    second = _not_solved(deployed_db, case_id, sh(2026, 10, 14, 10, 0))
    clock = clock_of(deployed_db, second.id)
    # Wed 14 Oct 10:00 + 7 working days = Fri 23 Oct 10:00.
    assert (clock.stage_name, clock.started_at, second.due_at) == ("处罚", sh(2026, 10, 14, 10, 0),
                                                                   sh(2026, 10, 23, 10, 0))
    assert [h["name"] for h in clock.stage_history] == ["停工"]
    assert case_row(deployed_db, case_id).data["rework_count"] == 2


def test_a_rework_after_all_stages_were_done_gets_the_demolition_stage_again_and_no_further_stage(
        deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    handle = only_item(deployed_db, case_id, "handle")
    _claim(deployed_db, handle.id)
    _stage_done(deployed_db, handle.id, sh(2026, 10, 12, 11, 0))  # 停工 done
    _stage_done(deployed_db, handle.id, sh(2026, 10, 13, 11, 0))  # 处罚 done
    _reported_back(deployed_db, case_id, sh(2026, 10, 20, 10, 0))  # 拆除 reported done: every stage done
    rework = _not_solved(deployed_db, case_id, sh(2026, 10, 20, 15, 0))
    clock = clock_of(deployed_db, rework.id)
    # The verification found the structure still standing: demolition is what is left, 20 working days
    # from the rework (Tue 20 Oct 15:00 → Tue 17 Nov 15:00), not the remains of the first demolition deadline.
    assert (clock.policy_key, clock.stage_name, clock.limit_amount, clock.unit) == (
        "social_event.rework_0101", "拆除", 20, "working_days")
    assert (clock.started_at, rework.due_at) == (sh(2026, 10, 20, 15, 0), sh(2026, 11, 17, 15, 0))
    assert [h["name"] for h in clock.stage_history] == ["停工", "处罚"]
    with deployed_db.transaction(readonly=True) as session:
        stage = task_stage(session, session.get(WorkItem, rework.id))
    assert stage is not None and (stage.number, stage.next_name) == (3, None)
    _claim(deployed_db, rework.id)
    with pytest.raises(Conflict, match="拆除 is the last stage"), deployed_db.transaction() as session:
        advance_stage_for_task(session, actor_for(session, HANDLER), rework.id)
    assert clock_of(deployed_db, rework.id).id == clock.id


def test_a_rework_starts_on_time_even_when_the_handling_missed_its_stage(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0))
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        assert fire_due(deployed_db, "w1") == 2  # 停工 missed: warned and escalated
    _reported_back(deployed_db, case_id, sh(2026, 10, 13, 10, 0))
    rework = _not_solved(deployed_db, case_id, sh(2026, 10, 13, 11, 0))
    clock = clock_of(deployed_db, rework.id)
    assert (clock.stage_name, clock.breached_at, clock.warned_at, rework.sla_state) == ("停工", None, None, "on_time")
    assert rework.due_at == sh(2026, 10, 13, 17, 0)  # 11-12, 14-17: 4 working hours from the rework


def test_the_rework_of_other_subcategories_keeps_the_catalogue_limit(deployed_db: Database) -> None:
    case_id = _dispatched(deployed_db, sh(2026, 10, 12, 10, 0), category="0102", grid_cell="S03C01G01")
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False):
        act(deployed_db, only_item(deployed_db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
        act(deployed_db, only_item(deployed_db, case_id, "feedback").id, "huanwei_h1", {"result_summary": "已清运全部垃圾"})
    with time_machine.travel(sh(2026, 10, 12, 14, 0), tick=False):
        act(deployed_db, only_item(deployed_db, case_id, "verify").id, "gw_s03c01g01",
            {"verify_result": "not_solved", "verify_note": "仍有垃圾"})
    rework = only_item(deployed_db, case_id, "rework")
    clock = clock_of(deployed_db, rework.id)
    assert (clock.policy_key, clock.stage_name, rework.due_at) == ("social_event.rework", None,
                                                                   sh(2026, 10, 12, 18, 0))
