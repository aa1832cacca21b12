"""history stays flat: index the work a person did, and case text for search on PostgreSQL

Revision ID: 0901_perfpath_history_indexes
Revises: 0007_work_item_process
Create Date: 2026-12-05

- `work_items (completed_by, case_id)`: "cases I worked on" (a person sees the cases of tasks they
  completed) is an index lookup instead of a scan of every task ever done.
- On PostgreSQL, trigram indexes (`pg_trgm`, GIN) on `cases.business_key` and `cases.title`: the case
  search's substring filter (`ILIKE '%…%'`) reads the matching rows instead of the whole history.
  `pg_trgm` ships with PostgreSQL and is a trusted extension (the database owner may create it); where
  the extension cannot be created the indexes are skipped with a warning and search still works, as
  a scan.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0901_perfpath_history_indexes"
down_revision = "0007_work_item_process"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
TRIGRAM = (("ix_cases_business_key_trgm", "business_key"), ("ix_cases_title_trgm", "title"))


def upgrade() -> None:
    op.create_index("ix_work_items_completed_by_case", "work_items", ["completed_by", "case_id"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm not available (%s): case search by text scans the cases table", str(exc.orig).strip())
        return
    savepoint.commit()
    for name, column in TRIGRAM:
        op.execute(f"CREATE INDEX {name} ON cases USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _column in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_work_items_completed_by_case", table_name="work_items")
