"""history stays flat: find the pauses still running without reading every pause ever recorded

Revision ID: 1101_open_case_pauses
Revises: 0008_sla_case_pauses
Create Date: 2026-12-06

The dashboard, the SLA lists and the inbox's 暂停计时 filter ask which running cases stand still
(`resumed_at IS NULL`). Pauses accumulate with the licensing history (each 补正 and site inspection
leaves one); a partial index holds only the open ones, so the question costs what is paused now.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "1101_open_case_pauses"
down_revision = "0008_sla_case_pauses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sla_case_pauses_open", "sla_case_pauses", ["case_id"],
                    postgresql_where=sa.text("resumed_at IS NULL"), sqlite_where=sa.text("resumed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_sla_case_pauses_open", table_name="sla_case_pauses")
