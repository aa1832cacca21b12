"""Business keys like LH-2026-000123: a per-prefix, per-year counter incremented in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.cases.models import KeySequence

# Built once per dialect (every case start runs both; building them costs more than running them).
_ENSURE_ROW = {
    name: dialect_insert(KeySequence)
    .values(prefix=bindparam("key_prefix"), year=bindparam("key_year"), last_value=0)
    .on_conflict_do_nothing()
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_INCREMENT = (
    update(KeySequence)
    .where(KeySequence.prefix == bindparam("key_prefix"), KeySequence.year == bindparam("key_year"))
    .values(last_value=KeySequence.last_value + 1)
    .returning(KeySequence.last_value)
)


def next_business_key(session: Session, prefix: str, year: int) -> str:
    dialect = session.get_bind().dialect.name
    params = {"key_prefix": prefix, "key_year": year}
    # Insert-if-absent then increment: concurrent starts serialise on the counter row, never collide.
    session.execute(_ENSURE_ROW["postgresql" if dialect == "postgresql" else "sqlite"], params)
    value = session.execute(_INCREMENT, params).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
