"""case search: opened_at on its own

Revision ID: 0004_social
Revises: 0001
Create Date: 2026-11-24

Case search filters by a date range without a status, and lists newest first; the composite
(status, opened_at) index cannot serve either, so opened_at gets its own.
"""
from __future__ import annotations

from alembic import op

revision = "0004_social"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_opened_at", ["opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_opened_at")
