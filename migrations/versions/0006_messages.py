"""message subscriptions: the BPMN message events running cases wait for

Revision ID: 0006_messages
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_messages"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("task_spec", sa.String(length=200), nullable=False),
        sa.Column("message_name", sa.String(length=200), nullable=False),
        sa.Column("correlation_key", sa.String(length=500), nullable=False),
        sa.Column("correlation", JSON, nullable=False),
        sa.Column("form_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_message_subscriptions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_subscriptions")),
    )
    op.create_index("ix_message_subscriptions_name_key", "message_subscriptions",
                    ["message_name", "correlation_key"])
    op.create_index("ix_message_subscriptions_case", "message_subscriptions", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_message_subscriptions_case", table_name="message_subscriptions")
    op.drop_index("ix_message_subscriptions_name_key", table_name="message_subscriptions")
    op.drop_table("message_subscriptions")
