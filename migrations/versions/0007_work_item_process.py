"""work_items.process_key: the step overview groups by (process, step) without joining cases

Revision ID: 0007_work_item_process
Revises: 0002_sla
Create Date: 2026-11-24

Joining every work item of the period to its case made the step overview slow down as the cases
table grew; the process key is fixed for a work item's life, so it is copied onto the row.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_work_item_process"
down_revision = "0002_sla"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("process_key", sa.String(length=100), nullable=True))
    op.execute(
        "UPDATE work_items SET process_key = (SELECT cases.process_key FROM cases WHERE cases.id = work_items.case_id)"
    )
    op.create_index("ix_work_items_status_process_step", "work_items", ["status", "process_key", "task_spec"])


def downgrade() -> None:
    op.drop_index("ix_work_items_status_process_step", "work_items")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("process_key")
