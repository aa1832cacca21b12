"""A step's fixed writes run on the driver's cursor (engine.store.prepared) and behave as SQLAlchemy's own
execution would: values go through the same type processing (a date or JSON written this way reads back
equal through the ORM), the statement runs in the session's transaction (a rollback takes it back), the
engine's cursor events see it, and a driver error is SQLAlchemy's error (an IntegrityError stays one)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.store.models.audit import AuditEvent
from engine.store.models.cases import KeySequence
from engine.store.prepared import PreparedStatement

_COLUMNS = ("case_id", "at", "actor", "action", "task_id", "task_name", "before", "after", "details")
APPEND = PreparedStatement(insert(AuditEvent.__table__).values({name: bindparam(name) for name in _COLUMNS}))
SEQUENCES = KeySequence.__table__
ADD_SEQUENCE = PreparedStatement(insert(SEQUENCES).values(prefix=bindparam("p"), year=bindparam("y"), last_value=0))
BUMP = PreparedStatement(update(SEQUENCES).where(SEQUENCES.c.prefix == bindparam("p"))
                         .values(last_value=SEQUENCES.c.last_value + 1).returning(SEQUENCES.c.last_value))
WHEN = datetime(2026, 12, 6, 7, 30, 15, 123456, tzinfo=UTC)


def _row(actor: str) -> dict:
    return {"case_id": None, "at": WHEN, "actor": actor, "action": "probe", "task_id": None, "task_name": "核查",
            "before": None, "after": {"金额": 3, "items": [1, "二"]}, "details": {}}


def _written_rows_read_back_as_written(database) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        APPEND.executemany(session, [_row("a"), _row("b")])
        APPEND.execute(session, _row("c"))
    with database.transaction(readonly=True) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "probe").order_by(AuditEvent.id)))
    assert [e.actor for e in events] == ["a", "b", "c"]
    assert all(e.at == WHEN and e.after == {"金额": 3, "items": [1, "二"]} and e.before is None and e.details == {}
               for e in events)


def _errors_and_rollback_are_sqlalchemys(database) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        ADD_SEQUENCE.execute(session, {"p": "ZZ", "y": 2026})
        assert BUMP.fetch_one(session, {"p": "ZZ"}) == (1,)
        assert BUMP.fetch_one(session, {"p": "none"}) is None
    with pytest.raises(IntegrityError), database.transaction() as session:
        BUMP.fetch_one(session, {"p": "ZZ"})
        ADD_SEQUENCE.execute(session, {"p": "ZZ", "y": 2026})  # the same key again
    with database.transaction(readonly=True) as session:
        # The bump in the failed transaction was rolled back with it.
        assert session.scalar(select(SEQUENCES.c.last_value).where(SEQUENCES.c.prefix == "ZZ")) == 1


def _cursor_events_see_the_statement(database) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.transaction() as session:
            APPEND.execute(session, _row("d"))
            assert APPEND.executemany(session, []) is None  # nothing to write: no statement
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert [s for s in seen if s.startswith("INSERT INTO audit_events")] and len(seen) <= 3


def test_prepared_writes_read_back_as_the_orm_writes_them(db):
    _written_rows_read_back_as_written(db)


def test_prepared_writes_raise_sqlalchemys_errors_and_roll_back_with_the_transaction(db):
    _errors_and_rollback_are_sqlalchemys(db)


def test_cursor_events_see_prepared_writes(db):
    _cursor_events_see_the_statement(db)


def test_prepared_writes_on_postgresql(pg_db):
    _written_rows_read_back_as_written(pg_db)
    _errors_and_rollback_are_sqlalchemys(pg_db)
    _cursor_events_see_the_statement(pg_db)


def test_a_statement_that_must_be_rendered_per_execution_is_refused(db):
    statement = PreparedStatement(select(SEQUENCES.c.prefix).where(SEQUENCES.c.prefix.in_(bindparam("many", expanding=True))))
    with pytest.raises(ValueError, match="needs rendering"), db.transaction() as session:
        statement.execute(session, {"many": ["a"]})
