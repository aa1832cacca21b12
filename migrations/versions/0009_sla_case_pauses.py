"""sla_case_pauses: the stretches in which a case's limits did not run (data flag sla_paused)

Revision ID: 0008_sla_case_pauses
Revises: 0007_work_item_process
Create Date: 2026-11-26

A clock that counts from an earlier instant (licensing's decision, from acceptance) skips the pauses
that fell before its work item opened; those were lost when no clock was running to record them.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sla_case_pauses"
down_revision = "0007_work_item_process"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_case_pauses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("paused_at", TS, nullable=False),
        sa.Column("resumed_at", TS, nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
    )
    op.create_index("ix_sla_case_pauses_case", "sla_case_pauses", ["case_id", "paused_at"])


def downgrade() -> None:
    op.drop_index("ix_sla_case_pauses_case", "sla_case_pauses")
    op.drop_table("sla_case_pauses")
