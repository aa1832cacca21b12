"""A step writes its case row and new work items with prebuilt statements, not the unit of work's flush:
the row is still written only at the version the step read (a stale step is a Conflict and writes
nothing), the objects the step hands back hold exactly what the rows hold, and inside a savepoint the
ORM writes them as before, so a savepoint rolled back leaves no object claiming a row that is not there."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from engine.cases import service as case_service
from engine.cases.service import start_case
from engine.commands.tasks import claim, complete
from engine.errors import Conflict
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

from .helpers import DISPATCHER, count, deploy_two_step

ITEM_COLUMNS = [column.key for column in WorkItem.__table__.columns]
CASE_COLUMNS = [column.key for column in Case.__table__.columns]


@pytest.fixture
def started(db):
    deploy_two_step(db)
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    with db.transaction(readonly=True) as session:
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == "open")).one()
    return case.id, item.id


def test_the_objects_a_completion_hands_back_hold_what_the_rows_hold_and_nothing_is_left_to_flush(db, started):
    case_id, item_id = started
    with db.transaction() as session:
        done = complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})
        assert not session.dirty and not session.new, "the step leaves nothing for a later flush to write"
        written_case = {key: getattr(done.case, key) for key in CASE_COLUMNS}
        written_items = [{key: getattr(item, key) for key in ITEM_COLUMNS} for item in done.opened]
        assert all(item in session for item in done.opened)
    assert written_items and written_case["version"] == 3 and written_case["workflow_state"]
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        assert {key: getattr(case, key) for key in CASE_COLUMNS} == written_case
        rows = [session.get(WorkItem, item["id"]) for item in written_items]
        assert [{key: getattr(row, key) for key in ITEM_COLUMNS} for row in rows] == written_items
        assert all(item["sla_state"] == "none" and item["created_at"] is not None for item in written_items)


def test_a_step_that_read_an_older_version_of_the_case_is_a_conflict_and_writes_nothing(db, started, monkeypatch):
    case_id, item_id = started
    audit_before = count(db, AuditEvent)
    real = case_service.write_case_row

    def someone_else_wrote_first(session, case):
        # Another writer commits a step between this step's read and its write.
        session.execute(update(Case).where(Case.id == case.id).values(version=Case.version + 1)
                        .execution_options(synchronize_session=False))
        real(session, case)

    monkeypatch.setattr(case_service, "write_case_row", someone_else_wrote_first)
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})
    assert refused.value.key == "case.changed"
    with db.transaction(readonly=True) as session:
        assert session.get(Case, case_id).version == 2
        assert session.get(WorkItem, item_id).status == "open"
        assert session.scalars(select(WorkItem).where(WorkItem.case_id == case_id)).all()[0].id == item_id
    assert count(db, WorkItem) == 1 and count(db, AuditEvent) == audit_before


def test_other_changes_to_the_case_are_still_flushed_after_the_steps_write(db, started):
    case_id, item_id = started
    with db.transaction() as session:
        case = session.get(Case, case_id)
        case.due_at = case.opened_at  # changed by the caller before the step: not one of the step's columns
        complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})
    with db.transaction(readonly=True) as session:
        stored = session.get(Case, case_id)
        assert stored.due_at == stored.opened_at and stored.version == 4  # the step's write, then the flush's


def test_inside_a_savepoint_rolled_back_the_orm_writes_and_forgets_the_step(db, started):
    case_id, item_id = started
    with db.transaction() as session:
        case = session.get(Case, case_id)
        savepoint = session.begin_nested()
        done = complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})
        opened = [item.id for item in done.opened]
        assert opened and session.get(Case, case_id).version == 3
        savepoint.rollback()
        assert all(session.get(WorkItem, item) is None for item in opened)
        assert session.get(Case, case_id).version == 2 and case.version == 2
    assert count(db, WorkItem) == 1


def _set_lists(db, table, action):
    """The SET lists of the UPDATEs of `table` that `action` ran."""
    updates: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(f"UPDATE {table.upper()}"):
            updates.append(statement.split(" WHERE ")[0])

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return updates


def test_a_step_writes_only_the_case_columns_it_changed_so_untouched_indexes_are_not_rewritten(db, started):
    case_id, item_id = started

    def completing():
        with db.transaction() as session:
            complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})

    [written] = _set_lists(db, "cases", completing)
    assert "workflow_state" in written and "version" in written
    for untouched in ("grid_cell", "street", "category", "status", "closed_at", "geohash", "title"):
        assert untouched not in written, f"{untouched} did not change and must not be written"
    with db.transaction(readonly=True) as session:
        stored = session.get(Case, case_id)
        assert stored.version == 3 and stored.status == "running" and stored.data["amount"] == 2


def test_completing_a_claimed_task_leaves_its_assignee_column_out_of_the_write_and_the_row_keeps_it(db, started):
    case_id, item_id = started
    with db.transaction() as session:
        claim(session, DISPATCHER, item_id)

    def completing():
        with db.transaction() as session:
            complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})

    [closed] = _set_lists(db, "work_items", completing)
    assert "completed_by" in closed and "assignee" not in closed
    with db.transaction(readonly=True) as session:
        item = session.get(WorkItem, item_id)
        assert (item.status, item.assignee, item.completed_by) == ("completed", DISPATCHER.username,
                                                                   DISPATCHER.username)


def test_completing_an_unclaimed_task_makes_the_completer_its_assignee(db, started):
    case_id, item_id = started
    with db.transaction() as session:
        complete(session, DISPATCHER, item_id, {"amount": "2", "responsible_department": "chengguan"})
    with db.transaction(readonly=True) as session:
        item = session.get(WorkItem, item_id)
        assert (item.status, item.assignee) == ("completed", DISPATCHER.username)
