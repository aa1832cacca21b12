"""session generation per user; the ability to oversee every supervising lane

Revision ID: 0901_ux13_sessions_and_lanes
Revises: 0802_api_token_ability
Create Date: 2026-12-05

A password change (or an administrator's reset) ends the user's other signed-in sessions: each user
row counts its session generation, a session remembers the generation it was signed in with, and a
request whose generation is older is signed out. Existing rows start at 0, as existing sessions hold
none and are read as 0, so nobody is signed out by the upgrade.

The administrator's standing in for every supervising role (decision steps of every deciding lane on
the dashboard, acknowledging an escalation sent to any role) was a role name in the code; it is now
the ability `oversee_every_lane`. Until `casegrid init` loads the organisation file again, existing
`admin` rows get it here, added to what they list.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0901_ux13_sessions_and_lanes"
down_revision = "0802_api_token_ability"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

GRANTED = {"admin": ["oversee_every_lane"]}


def _roles() -> sa.TableClause:
    return sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    roles = _roles()
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            current = list(may or [])
            merged = current + [ability for ability in added if ability not in current]
            connection.execute(roles.update().where(roles.c.code == code).values(may=merged))


def downgrade() -> None:
    roles = _roles()
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            kept = [ability for ability in (may or []) if ability not in added]
            connection.execute(roles.update().where(roles.c.code == code).values(may=kept))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
