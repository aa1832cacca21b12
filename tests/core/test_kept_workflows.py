"""A committed step leaves its workflow in memory for the next step; the case row stays the only truth."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases import service as case_service
from engine.cases.service import get_case, start_case
from engine.commands.tasks import complete
from engine.errors import Conflict
from engine.runtime import kept
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.tasks.view import task_view

from .helpers import DISPATCHER, count, deploy_two_step


@pytest.fixture
def reads(db, monkeypatch):
    """Deploys the two-step process; counts how often a step deserialises the workflow from the row."""
    deploy_two_step(db)
    calls = []
    real = case_service.load_workflow

    def counting(state, parsed):
        calls.append(state)
        return real(state, parsed)

    monkeypatch.setattr(case_service, "load_workflow", counting)
    return calls


def _open_item(db, case_id):
    with db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()


def test_the_step_after_a_committed_step_reuses_its_workflow_instead_of_reading_the_state(db, reads):
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    fill = _open_item(db, case.id)
    with db.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "21", "responsible_department": "chengguan"})
    assert reads == []
    with db.transaction(readonly=True) as session:
        assert get_case(session, case.id).data["marked"] == 42
    assert _open_item(db, case.id).task_spec == "approve"


def test_a_step_that_fails_after_running_leaves_no_half_run_workflow_for_the_next_attempt(db, reads, monkeypatch):
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    fill = _open_item(db, case.id)
    def failing(*args, **kwargs):
        raise Conflict("simulated failure at the end of the step")

    with monkeypatch.context() as patched:
        # The first reaction runs after the workflow ran and its new state was written and offered to the store.
        patched.setattr(case_service, "dispatch", failing)
        with pytest.raises(Conflict), db.transaction() as session:
            complete(session, DISPATCHER, fill.id, {"amount": "21", "responsible_department": "chengguan"})

    with db.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "5", "responsible_department": "huanwei"})
    assert len(reads) == 1, "the retry reads the committed state from the row"
    with db.transaction(readonly=True) as session:
        stored = get_case(session, case.id)
        assert (stored.data["amount"], stored.data["marked"], stored.department) == (5, 10, "huanwei")
    assert count(db, AuditEvent, AuditEvent.action == "task_completed") == 1
    assert _open_item(db, case.id).department == "huanwei"


def test_a_kept_workflow_is_ignored_when_the_row_holds_different_state(db, reads):
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    fill = _open_item(db, case.id)
    with db.transaction() as session:
        # Another writer (another process, a restore) stored the same state text with a change in it.
        stored = session.get(Case, case.id)
        stored.workflow_state = stored.workflow_state.replace('"data":{}', '"data":{"restored":true}', 1)
    with db.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "1", "responsible_department": "chengguan"})
    assert len(reads) == 1


def test_the_store_hands_a_workflow_out_once_and_only_for_the_state_it_was_saved_as(db):
    deploy_two_step(db)
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
        saved = case.workflow_state
    with db.transaction(readonly=True) as session:
        assert kept.take(session, case.id, saved + " ") is None
        assert kept.take(session, case.id, saved) is None, "a mismatch takes the entry out too"
    with pytest.raises(RuntimeError), db.transaction() as session:
        start_case(session, "two_step", {}, DISPATCHER)
        kept.keep_after_commit(session, case.id, saved, object())  # type: ignore[arg-type]
        raise RuntimeError("the step fails")
    with db.transaction(readonly=True) as session:
        assert kept.take(session, case.id, saved) is None, "a rolled-back transaction keeps nothing"


def test_opening_a_task_page_does_not_cost_the_next_step_its_kept_workflow(db, reads):
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    fill = _open_item(db, case.id)
    with db.transaction(readonly=True) as session:
        task_view(session, fill.id, DISPATCHER)
    assert reads == [], "the page reads the state itself, around the store"
    with db.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "2", "responsible_department": "chengguan"})
    assert reads == []


def test_a_workflow_kept_at_a_savepoint_is_not_used_when_the_outer_transaction_rolls_back(db, reads):
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    fill = _open_item(db, case.id)
    with pytest.raises(RuntimeError), db.transaction() as session:
        # The timer worker runs each timer in a savepoint; releasing one counts as a commit to the store.
        with session.begin_nested():
            complete(session, DISPATCHER, fill.id, {"amount": "21", "responsible_department": "chengguan"})
        raise RuntimeError("the outer transaction fails after the savepoint was released")
    with db.transaction() as session:
        complete(session, DISPATCHER, fill.id, {"amount": "5", "responsible_department": "huanwei"})
    assert len(reads) == 1, "the step after the rollback reads the committed state from the row"
    with db.transaction(readonly=True) as session:
        assert get_case(session, case.id).data["marked"] == 10
