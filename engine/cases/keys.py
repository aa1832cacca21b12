"""Business keys like LH-2026-000123: a per-prefix, per-year counter incremented in the caller's transaction."""
from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.store.models.cases import KeySequence

_SEQUENCES = KeySequence.__table__
# Built once per dialect (every case start runs both; building them costs more than running them), on
# the table rather than the mapped class: the ORM's bulk-DML path would triple their cost.
_ENSURE_ROW = {
    name: dialect_insert(_SEQUENCES)
    .values(prefix=bindparam("key_prefix"), year=bindparam("key_year"), last_value=0)
    .on_conflict_do_nothing()
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_INCREMENT = (
    update(_SEQUENCES)
    .where(_SEQUENCES.c.prefix == bindparam("key_prefix"), _SEQUENCES.c.year == bindparam("key_year"))
    .values(last_value=_SEQUENCES.c.last_value + 1)
    .returning(_SEQUENCES.c.last_value)
)


def next_business_key(session: Session, prefix: str, year: int) -> str:
    connection = session.connection()
    params = {"key_prefix": prefix, "key_year": year}
    # Insert-if-absent then increment: concurrent starts serialise on the counter row, never collide.
    connection.execute(_ENSURE_ROW["postgresql" if connection.dialect.name == "postgresql" else "sqlite"], params)
    value = connection.execute(_INCREMENT, params).scalar_one()
    return f"{prefix}-{year}-{value:06d}"
