"""role access: what each role lets its holder see and oversee

Revision ID: 0601_role_access
Revises: 0001
Create Date: 2026-12-05

The declarations come from the organisation file; `casegrid init` loads them. Until it runs, every
role reaches only its holder's own cases and tasks: a narrower view, never a wider one.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0601_role_access"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("sees", sa.String(length=20), nullable=False, server_default="own"))
        batch.add_column(sa.Column("oversees", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("oversees")
        batch.drop_column("sees")
