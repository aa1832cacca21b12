"""Keeping idempotency keys (``ingested_events``) as long as a redelivery can come, not for ever.

A key only has to outlive the redeliveries of its event: a broker's (a message not acknowledged comes
back when the consumer reconnects) and a program's retry. Kept longer, the table grows by every sensor
reading for ever. Rows received before the retention cut-off (CASEGRID_EVENT_KEY_RETENTION_DAYS) are
deleted in bounded batches, oldest first, through the ``received_at`` index: at sensor scale there are
millions, and one DELETE of them all would hold its locks, bloat the write-ahead log and block the
worker's timers for as long as it ran.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from engine.store.models.rules import IngestedEvent

TABLE = IngestedEvent.__table__
PURGE_BATCH = 5_000  # rows per transaction: a fraction of a second on either database

# The ids of one batch, oldest first (ix_ingested_events_received), then a delete by primary key: the
# same statement on SQLite and PostgreSQL, and neither needs DELETE … LIMIT.
_OLDEST = (select(TABLE.c.id).where(TABLE.c.received_at < bindparam("cutoff", type_=TABLE.c.received_at.type))
           .order_by(TABLE.c.received_at).limit(bindparam("batch")))
_DELETE = delete(TABLE).where(TABLE.c.id.in_(_OLDEST.scalar_subquery()))


def purge_keys_before(session: Session, cutoff: datetime, batch: int = PURGE_BATCH) -> int:
    """Delete up to ``batch`` idempotency keys received before ``cutoff`` (oldest first); how many."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    return session.execute(_DELETE, {"cutoff": cutoff, "batch": batch}).rowcount or 0


def oldest_received(session: Session) -> datetime | None:
    return session.scalar(select(TABLE.c.received_at).order_by(TABLE.c.received_at).limit(1))
