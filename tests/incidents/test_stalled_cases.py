"""No case stalls unseen: a running case that waits on nothing visible becomes a `stalled` incident, and a
retry after the fix moves it on.

The stall reproduced here is the 协办 defect fixed in engine.runtime.parsing.connect_loop_merges: the
assisting units' instances completed in a process that had not hooked their merge, so the multi-instance
task stayed STARTED and the join before 核查 never fired. Cases stalled that way before the fix are still
stalled in a database; the scan makes them visible and the retry merges what was never merged.
"""
from __future__ import annotations

import pytest

from engine.commands.incidents import report_stalled_cases, retry_incident
from engine.definitions import versions
from engine.errors import Forbidden
from engine.incidents.stalls import stalled_case_ids
from engine.org.service import actor_for
from engine.runtime import kept, parsing
from engine.store.database import Database
from engine.store.models.incidents import Incident, IncidentKind
from tests.social_event.helpers import act, case_row, only_item, open_items, start


def _another_process() -> None:
    versions.clear_cache()
    kept.clear()


def _stalled_co_handled_case(db: Database, monkeypatch: pytest.MonkeyPatch) -> int:
    case_id = start(db)
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1",
        {"dispatch_choice": "accept", "assisting_departments": ["shizheng"]})
    act(db, only_item(db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    with monkeypatch.context() as old_engine:
        old_engine.setattr(parsing, "connect_loop_merges", lambda spec: None)  # the defect, as it was
        for item in open_items(db, case_id):
            _another_process()
            answers = ({"result_summary": "已清运全部垃圾"} if item.task_spec == "feedback"
                       else {"assist_summary": "已配合完成本单位部分"})
            act(db, item.id, "huanwei_h1" if item.department == "huanwei" else "shizheng_h1", answers)
    _another_process()
    return case_id


def test_a_case_that_waits_on_nothing_is_found_and_becomes_a_stalled_incident_once(
        deployed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    db = deployed_db
    case_id = _stalled_co_handled_case(db, monkeypatch)
    assert open_items(db, case_id) == [] and case_row(db, case_id).status == "running"
    with db.transaction() as session:
        assert stalled_case_ids(session) == [case_id]
        opened = report_stalled_cases(session, "worker-1")
        assert [(i.case_id, i.kind) for i in opened] == [(case_id, IncidentKind.STALLED)]
    assert case_row(db, case_id).open_incidents == 1
    with db.transaction() as session:
        assert report_stalled_cases(session, "worker-1") == []  # visible now: not reported twice
        assert session.query(Incident).count() == 1


def test_a_retry_after_the_fix_merges_the_finished_instances_and_the_case_reaches_verification(
        deployed_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    db = deployed_db
    case_id = _stalled_co_handled_case(db, monkeypatch)
    with db.transaction() as session:
        incident_id = report_stalled_cases(session, "worker-1")[0].id
    with pytest.raises(Forbidden), db.transaction() as session:
        retry_incident(session, actor_for(session, "supervisor1"), incident_id)
    with db.transaction() as session:
        result = retry_incident(session, actor_for(session, "admin"), incident_id)
    assert result.resolved
    verify = only_item(db, case_id, "verify")
    assert verify.status == "open"
    case = case_row(db, case_id)
    assert case.open_incidents == 0 and case.current_step == "核查"
    assert [r["department"] for r in case.data["assist_reports"]] == ["shizheng"]


def test_running_cases_waiting_on_a_task_a_timer_or_a_message_are_not_stalled(deployed_db: Database) -> None:
    db = deployed_db
    case_id = start(db)
    with db.transaction(readonly=True) as session:
        assert case_id not in stalled_case_ids(session)
