"""incidents: cases that cannot move, and user steps that keep failing

Revision ID: 0701_incidents
Revises: 0001
Create Date: 2026-12-05

A failed timer step used to mark its timer failed and leave the case running with nothing to show.
Each failure now opens an incident row (engine.incidents) an operator can retry or cancel, and the
case row counts its open blocking incidents so case lists show 有异常 without a join.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0701_incidents"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("process_key", sa.String(length=100), nullable=True),
        sa.Column("element", sa.String(length=200), nullable=False),
        sa.Column("element_name", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("timer_id", sa.Integer(), nullable=True),
        sa.Column("raised_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_incidents_case_id_cases")),
        sa.ForeignKeyConstraint(["timer_id"], ["timers.id"], name=op.f("fk_incidents_timer_id_timers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_case_id", "incidents", ["case_id"])
    op.create_index("ix_incidents_status_created", "incidents", ["status", "created_at"])
    op.create_index("ix_incidents_status_case_element", "incidents", ["status", "case_id", "element"])
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_incidents", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("open_incidents")
    op.drop_index("ix_incidents_status_case_element", table_name="incidents")
    op.drop_index("ix_incidents_status_created", table_name="incidents")
    op.drop_index("ix_incidents_case_id", table_name="incidents")
    op.drop_table("incidents")
