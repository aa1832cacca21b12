"""time limits: business calendar, SLA clocks, extensions, escalations, urgings, notifications

Revision ID: 0002_sla
Revises: 0001
Create Date: 2026-11-25

Branches from the initial schema (the project upgrades to "heads").
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_sla"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(40), nullable=False),
        sa.Column("source", sa.String(300), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("loaded_at", TS, nullable=False),
        sa.Column("loaded_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "calendar_days",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(["year"], ["calendar_years.year"], ondelete="CASCADE",
                                name=op.f("fk_calendar_days_year_calendar_years")),
        sa.PrimaryKeyConstraint("year", "day", name=op.f("pk_calendar_days")),
    )
    op.create_table(
        "sla_clocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("work_item_id", sa.String(36), nullable=False),
        sa.Column("policy_key", sa.String(100), nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("stage_name", sa.String(100), nullable=True),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("counting", sa.String(20), nullable=False),
        sa.Column("limit_amount", sa.Float(), nullable=False),
        sa.Column("extension_amount", sa.Float(), nullable=False),
        sa.Column("warning_ratio", sa.Float(), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("pauses", JSON, nullable=False),
        sa.Column("pause_flag_seen", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("warn_at", TS, nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("missing_years", JSON, nullable=False),
        sa.Column("warned_at", TS, nullable=True),
        sa.Column("breached_at", TS, nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("stage_history", JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sla_clocks_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_clocks")),
    )
    op.create_index("ix_sla_clocks_case_status", "sla_clocks", ["case_id", "status"])
    op.create_index("ix_sla_clocks_work_item", "sla_clocks", ["work_item_id"])
    op.create_index("ix_sla_clocks_provisional_status", "sla_clocks", ["provisional", "status"])
    op.create_table(
        "sla_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=False),
        sa.Column("work_item_id", sa.String(36), nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sla_extensions_case_id_cases")),
        sa.ForeignKeyConstraint(["clock_id"], ["sla_clocks.id"], name=op.f("fk_sla_extensions_clock_id_sla_clocks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_extensions")),
    )
    op.create_index("ix_sla_extensions_case_id", "sla_extensions", ["case_id"])
    op.create_index("ix_sla_extensions_status_requested", "sla_extensions", ["status", "requested_at"])
    op.create_table(
        "sla_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("clock_id", sa.Integer(), nullable=True),
        sa.Column("work_item_id", sa.String(36), nullable=True),
        sa.Column("task_name", sa.String(300), nullable=True),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("target_role", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("acknowledged_by", sa.String(80), nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sla_escalations_case_id_cases")),
        sa.ForeignKeyConstraint(["clock_id"], ["sla_clocks.id"],
                                name=op.f("fk_sla_escalations_clock_id_sla_clocks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_escalations")),
    )
    op.create_index("ix_sla_escalations_status_role_dept", "sla_escalations",
                    ["status", "target_role", "department"])
    op.create_index("ix_sla_escalations_case", "sla_escalations", ["case_id"])
    op.create_table(
        "sla_urgings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("work_item_id", sa.String(36), nullable=True),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("urged_by", sa.String(80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sla_urgings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_urgings")),
    )
    op.create_index("ix_sla_urgings_department_at", "sla_urgings", ["department", "at"])
    op.create_index("ix_sla_urgings_case", "sla_urgings", ["case_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("work_item_id", sa.String(36), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_recipient_read", "notifications", ["recipient", "read", "id"])
    # The overview's closure figures read work items completed in a period, per department or step.
    op.create_index("ix_work_items_department_completed", "work_items", ["department", "completed_at"])
    op.create_index("ix_work_items_completed_at", "work_items", ["completed_at"])


def downgrade() -> None:
    op.drop_index("ix_work_items_completed_at", "work_items")
    op.drop_index("ix_work_items_department_completed", "work_items")
    for table in ("notifications", "sla_urgings", "sla_escalations", "sla_extensions", "sla_clocks",
                  "calendar_days", "calendar_years"):
        op.drop_table(table)
