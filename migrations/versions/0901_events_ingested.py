"""ingested_events: every external event applied, under its idempotency key

Revision ID: 0901_events_ingested
Revises: 0008_event_state
Create Date: 2026-12-05

Events arrive from brokers (MQTT QoS 1, AMQP) that redeliver what was not acknowledged, and from
programs that retry a request whose answer they lost. Each applied event is stored with its
idempotency key under a unique index, in the transaction that applies it: a redelivered event finds
its key and is not applied twice (engine.events.batch).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0901_events_ingested"
down_revision = "0008_event_state"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ingested_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("posted_by", sa.String(length=80), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingested_events")),
    )
    op.create_index("ux_ingested_events_key", "ingested_events", ["idempotency_key"], unique=True)
    op.create_index("ix_ingested_events_received", "ingested_events", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_ingested_events_received", table_name="ingested_events")
    op.drop_index("ux_ingested_events_key", table_name="ingested_events")
    op.drop_table("ingested_events")
