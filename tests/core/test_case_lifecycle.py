"""A case starts, routes its tasks, validates form data, advances, and records every step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.audit.service import history
from engine.cases.service import cancel_case, get_case, start_case
from engine.commands.tasks import claim, complete, transfer
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

from .helpers import DISPATCHER, HANDLER_CG, HANDLER_HW, count, deploy_two_step


@pytest.fixture
def db2(db):
    deploy_two_step(db)
    return db


def _open_items(db, case_id):
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")))


def test_started_case_gets_a_business_key_and_a_work_item_in_the_lane_role(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {"title": "路面破损"}, DISPATCHER)
    assert case.business_key.startswith("LH-") and case.business_key.endswith("-000001")
    [item] = _open_items(db2, case.id)
    assert (item.task_spec, item.role, item.form_key, item.assignee) == ("fill", "dispatcher", "tt_fill", None)


def test_completing_a_task_runs_scripts_routes_by_department_and_records_before_and_after(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    [fill] = _open_items(db2, case.id)
    with db2.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "21", "responsible_department": "chengguan"})
    [approve] = _open_items(db2, case.id)
    assert (approve.role, approve.department) == ("handler", "chengguan")
    with db2.transaction() as session:
        stored = get_case(session, case.id)
        assert stored.data["marked"] == 42 and stored.department == "chengguan"
        completed = session.scalars(select(AuditEvent).where(AuditEvent.action == "task_completed")).one()
        assert completed.after == {"amount": 21, "responsible_department": "chengguan"}
        assert completed.before == {"amount": None, "responsible_department": None}


def test_invalid_form_data_is_refused_with_field_errors_and_changes_nothing(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    [fill] = _open_items(db2, case.id)
    events_before = count(db2, AuditEvent)
    with pytest.raises(InvalidInput) as refused, db2.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": 0})
    assert "amount" in refused.value.details
    [still_open] = _open_items(db2, case.id)
    assert still_open.id == fill.id
    assert count(db2, AuditEvent) == events_before
    with db2.transaction() as session:
        assert get_case(session, case.id).version == case.version


def test_a_task_completed_once_cannot_be_completed_again(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    [fill] = _open_items(db2, case.id)
    with db2.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": 1, "responsible_department": "huanwei"})
    with pytest.raises(Conflict, match="already completed"), db2.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": 2})
    assert count(db2, AuditEvent, AuditEvent.action == "task_completed") == 1


def test_a_handler_of_another_department_can_neither_see_nor_complete_the_task(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    [fill] = _open_items(db2, case.id)
    with db2.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": 1, "responsible_department": "chengguan"})
    [approve] = _open_items(db2, case.id)
    with pytest.raises(NotFound), db2.transaction() as session:
        complete(session, HANDLER_HW, approve.id, {"approved": True})
    with pytest.raises(NotFound), db2.transaction() as session:
        claim(session, HANDLER_HW, approve.id)
    [unchanged] = _open_items(db2, case.id)
    assert unchanged.assignee is None and unchanged.status == "open"
    with db2.transaction() as session:
        created = complete(session, HANDLER_CG, approve.id, {"approved": True}).opened
    assert created == []
    with db2.transaction() as session:
        assert get_case(session, case.id).status == "completed"


def test_claimed_task_belongs_to_its_assignee_and_transfer_needs_a_reason(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
        session.flush()
    [fill] = _open_items(db2, case.id)
    with db2.transaction() as session:
        claim(session, DISPATCHER, fill.id)
    other = DISPATCHER.__class__("disp2", None, DISPATCHER.roles)
    with pytest.raises(Forbidden), db2.transaction() as session:
        complete(session, other, fill.id, {"amount": 1})
    with pytest.raises(InvalidInput), db2.transaction() as session:
        transfer(session, DISPATCHER, fill.id, "disp2", " ")


def test_cancel_needs_a_reason_withdraws_open_tasks_and_is_audited(db2):
    with db2.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    with pytest.raises(InvalidInput), db2.transaction() as session:
        cancel_case(session, case.id, DISPATCHER, "")
    with db2.transaction() as session:
        cancel_case(session, case.id, DISPATCHER, "重复上报")
    assert _open_items(db2, case.id) == []
    with db2.transaction() as session:
        assert session.get(Case, case.id).status == "cancelled"
        actions = [e.action for e in history(session, case.id)]
    assert actions == ["case_started", "task_created", "task_withdrawn", "case_cancelled"]
    with pytest.raises(Conflict), db2.transaction() as session:
        cancel_case(session, case.id, DISPATCHER, "again")


def test_start_data_is_validated_against_the_start_form(deployed_db):
    with pytest.raises(InvalidInput) as refused, deployed_db.transaction() as session:
        start_case(session, "sample_loop", {"target": "many"}, DISPATCHER)
    assert "target" in refused.value.details
    assert count(deployed_db, Case) == 0


def test_an_unknown_process_is_not_found(db2):
    with pytest.raises(NotFound), db2.transaction() as session:
        start_case(session, "no_such_process", {}, DISPATCHER)
