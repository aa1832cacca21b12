"""notifications.message_key, message_params: a notice worded in its reader's language when read

Revision ID: notifyi18n_notification_keys
Revises: 0002_sla
Create Date: 2026-12-06

Notifications were stored as finished Chinese text, so a reader who chose English read Chinese. Each
notice now also records what it says as a key and its facts (codes, stored names, times); the page words
it in the reader's language (web/dashboard/notices.py). The Chinese text stays: rows made before have only
it, and it is what a notice says wherever no page words it. Both columns are nullable: old rows keep
showing their stored text.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "notifyi18n_notification_keys"
down_revision = "0002_sla"  # which made the notifications table
branch_labels = None
depends_on = None

# JSONB on PostgreSQL, JSON text elsewhere (as engine.store.base.JSONType).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("message_key", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("message_params", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("message_params")
        batch.drop_column("message_key")
