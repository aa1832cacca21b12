"""history stays flat: what a person reaches, in the order the case list shows it

Revision ID: reach2_case_reach_order
Revises: 0901_perfpath_history_indexes
Create Date: 2026-12-06

A case list is the newest cases first. A person who sees few cases (their own, a small department's)
found them by walking every case of the history, newest first, with a look into its tasks; the list
now reads each reason a case is visible from an index in that order and stops after a page
(engine.cases.access). For that:

- `work_items.case_opened_at`: the case's opening time, copied onto each of its tasks when the task is
  created (a case's opening never changes), so a person's tasks can be read in the cases' order;
  backfilled from the cases, then required;
- indexes in that order: `cases (opened_by | department | grid_cell, opened_at, id)` and
  `work_items (assignee | completed_by | department | grid_cell, case_opened_at, case_id)`,
  `work_items (role, department, case_opened_at, case_id)` (holders of a lane's role); the one on
  (completed_by, case_opened_at, case_id) serves every lookup `ix_work_items_completed_by_case` served
  (by who did the task), which is dropped: each index is paid for by every task written;
- on PostgreSQL, a trigram index on the named candidates' text (`CAST(candidate_users AS VARCHAR)`,
  the access rule's own expression), so "tasks naming me" reads those items instead of every task.
  Where `pg_trgm` cannot be created it is skipped with a warning, as in 0901_perfpath_history_indexes.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "reach2_case_reach_order"
down_revision = "0901_perfpath_history_indexes"  # whose completed_by index this one replaces
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

CASE_INDEXES = (("ix_cases_opened_by_opened", "opened_by"), ("ix_cases_department_opened", "department"),
                ("ix_cases_grid_cell_opened", "grid_cell"))
ITEM_INDEXES = (("ix_work_items_assignee_case_opened", ("assignee",)),
                ("ix_work_items_completed_by_case_opened", ("completed_by",)),
                ("ix_work_items_department_case_opened", ("department",)),
                ("ix_work_items_grid_cell_case_opened", ("grid_cell",)),
                ("ix_work_items_role_department_case_opened", ("role", "department")))
CANDIDATES_TRGM = "ix_work_items_candidate_users_trgm"


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("case_opened_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE work_items SET case_opened_at = (SELECT cases.opened_at FROM cases WHERE cases.id = work_items.case_id)")
    # Every task has its case (a foreign key): from now on an item written without the copy is refused.
    with op.batch_alter_table("work_items") as batch:
        batch.alter_column("case_opened_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    for name, column in CASE_INDEXES:
        op.create_index(name, "cases", [column, "opened_at", "id"])
    for name, columns in ITEM_INDEXES:
        op.create_index(name, "work_items", [*columns, "case_opened_at", "case_id"])
    op.drop_index("ix_work_items_completed_by_case", table_name="work_items")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        log.warning("pg_trgm not available (%s): tasks naming a person are found by a scan", str(exc.orig).strip())
        return
    savepoint.commit()
    op.execute(f"CREATE INDEX {CANDIDATES_TRGM} ON work_items USING gin ((CAST(candidate_users AS VARCHAR)) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {CANDIDATES_TRGM}")
    op.create_index("ix_work_items_completed_by_case", "work_items", ["completed_by", "case_id"])
    for name, _columns in ITEM_INDEXES:
        op.drop_index(name, table_name="work_items")
    for name, _column in CASE_INDEXES:
        op.drop_index(name, table_name="cases")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("case_opened_at")
