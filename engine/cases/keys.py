"""Business keys like LH-2026-000123: a per-prefix, per-year counter incremented in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import bindparam, text, update
from sqlalchemy.orm import Session

from engine.store.models.cases import KeySequence
from engine.store.prepared import PreparedStatement

_SEQUENCES = KeySequence.__table__
# The same text on SQLite and PostgreSQL. As a text statement its compiled form is cached; SQLAlchemy
# compiles an INSERT ... ON CONFLICT built with the dialects' insert() again on every execution.
_ENSURE_ROW = text(f"INSERT INTO {_SEQUENCES.name} (prefix, year, last_value) VALUES (:key_prefix, :key_year, 0)"
                   " ON CONFLICT DO NOTHING")
# Prepared once (engine.store.prepared), on the table rather than the mapped class.
_INCREMENT = PreparedStatement(
    update(_SEQUENCES)
    .where(_SEQUENCES.c.prefix == bindparam("key_prefix"), _SEQUENCES.c.year == bindparam("key_year"))
    .values(last_value=_SEQUENCES.c.last_value + 1)
    .returning(_SEQUENCES.c.last_value)
)


def next_business_key(session: Session, prefix: str, year: int) -> str:
    connection = session.connection()
    params = {"key_prefix": prefix, "key_year": year}
    # Increment, and only when the year's row is missing insert it (if absent) and increment again:
    # concurrent starts serialise on the counter row, never collide, and all but a year's first start
    # run one statement.
    row = _INCREMENT.fetch_one(session, params)
    if row is None:
        connection.execute(_ENSURE_ROW, params)
        row = _INCREMENT.fetch_one(session, params)
    if row is None:
        raise RuntimeError(f"no business key counter for {prefix} {year}")
    value = row[0]
    return f"{prefix}-{year}-{value:06d}"
