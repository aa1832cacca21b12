"""Business keys like LH-2026-000123: a per-prefix, per-year counter incremented in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.cases.models import KeySequence


def next_business_key(session: Session, prefix: str, year: int) -> str:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Insert-if-absent then increment: concurrent starts serialise on the counter row, never collide.
    session.execute(
        insert(KeySequence).values(prefix=prefix, year=year, last_value=0).on_conflict_do_nothing()
    )
    value = session.execute(
        update(KeySequence)
        .where(KeySequence.prefix == prefix, KeySequence.year == year)
        .values(last_value=KeySequence.last_value + 1)
        .returning(KeySequence.last_value)
    ).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
