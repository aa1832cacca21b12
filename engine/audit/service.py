"""Append to and read the audit trail. Rows are never updated or deleted by the engine."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from engine.store.base import utcnow
from engine.store.models.audit import AuditEvent
from engine.store.prepared import PreparedStatement

# Prepared once (engine.store.prepared): audit rows are written on every step.
_COLUMNS = ("case_id", "at", "actor", "action", "task_id", "task_name", "before", "after", "details")
_APPEND = PreparedStatement(insert(AuditEvent.__table__).values({name: bindparam(name) for name in _COLUMNS}))


def json_safe(value: Any) -> Any:
    """Task data may hold dates and decimals; the trail stores what a JSON reader would see."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    case_id: int | None = None,
    task_id: str | None = None,
    task_name: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event now, in the caller's transaction.

    A plain INSERT rather than an ORM object: nothing needs the row as an object, and the unit of
    work's bookkeeping for it (identity map, flush, RETURNING the id) was a fifth of a step's cost.
    """
    row = {
        "case_id": case_id, "at": utcnow(), "actor": actor, "action": action, "task_id": task_id, "task_name": task_name,
        "before": json_safe(before) if before is not None else None,
        "after": json_safe(after) if after is not None else None,
        "details": json_safe(details or {}),
    }
    batch = session.info.get(_BATCH)
    if batch is not None:
        batch.append(row)
    else:
        _APPEND.execute(session, row)


_BATCH = "casegrid.audit_batch"


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Hold the rows `record` appends until `write_batch` (or the end of the block) writes them with one
    statement, in the order they were recorded: a completion's `task_completed` and the `task_created`
    of the task it opens are one round trip. Nothing in the block may read the trail (it is not
    written yet); engine.cases.service.persist writes the batch before the step's reactions run, and
    rows recorded after that are written at once."""
    if _BATCH in session.info:
        yield  # already batching: the outer block writes
        return
    session.info[_BATCH] = []
    try:
        yield
        write_batch(session)
    finally:
        session.info.pop(_BATCH, None)


def write_batch(session: Session) -> None:
    """Write the rows held so far and stop holding: what is recorded after this (the step's reactions,
    which may read the trail) is written at once. No-op outside `batched`."""
    batch = session.info.get(_BATCH)
    if batch is not None:
        session.info[_BATCH] = None
        if batch:
            _APPEND.executemany(session, batch)


def history(session: Session, case_id: int, limit: int = 500, after_id: int = 0) -> list[AuditEvent]:
    """A case's events in order; keyset-paged by id so long histories stay cheap to page."""
    query = (
        select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.id > after_id)
        .order_by(AuditEvent.id).limit(limit)
    )
    return list(session.scalars(query))
