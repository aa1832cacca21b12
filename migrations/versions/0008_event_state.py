"""event_rule_state: event-rule windows, streaks, memory and cooldowns in the database

Revision ID: 0008_event_state
Revises: 0006_messages
Create Date: 2026-11-26

They lived in each process's memory: a restart forgot open windows, and reports arriving through
different web workers never met in one window. engine.rules.state reads and writes these rows.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_event_state"
down_revision = "0006_messages"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "event_rule_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ruleset", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_rule_state")),
    )
    op.create_index("ux_event_rule_state_key", "event_rule_state", ["ruleset", "group_key", "rule"], unique=True)
    op.create_index("ix_event_rule_state_expiry", "event_rule_state", ["ruleset", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_event_rule_state_expiry", table_name="event_rule_state")
    op.drop_index("ux_event_rule_state_key", table_name="event_rule_state")
    op.drop_table("event_rule_state")
