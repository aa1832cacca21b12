"""role abilities: which features a role opens (the `may` list in the organisation file)

Revision ID: 0801_role_abilities
Revises: 0601_role_access
Create Date: 2026-12-06

Who may use the dashboard, urge, decide extensions, work incidents, model processes and start any
process used to be role names written in the code. The organisation file now declares it per role, and
`casegrid init` loads it. Until init runs again, existing rows get what the code granted those role
codes, so an upgraded district keeps its behaviour; a role the code did not name gets nothing.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0801_role_abilities"
down_revision = "0601_role_access"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# What the code granted until this revision, by role code.
GRANTED_BEFORE = {
    "supervisor": ["dashboard", "urge", "decide_extensions", "see_incidents"],
    "department_head": ["dashboard", "urge", "decide_extensions"],
    "analyst": ["see_incidents", "operate_incidents", "model_processes"],
    "admin": ["dashboard", "urge", "decide_extensions", "see_incidents", "operate_incidents", "model_processes",
              "start_any"],
}


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("may", JSON, nullable=False, server_default="[]"))
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))
    for code, abilities in GRANTED_BEFORE.items():
        op.execute(roles.update().where(roles.c.code == code).values(may=abilities))


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("may")
