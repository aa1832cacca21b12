"""api token ability; the command centre's dashboard

Revision ID: 0802_api_token_ability
Revises: 0801_role_abilities
Create Date: 2026-12-08

Holding an API token became a feature a role opens (`use_api_tokens`), and dispatchers (the command
centre) got a read-only dashboard over every department. `casegrid init` loads both from the
organisation file; until it runs again, existing rows of the shipped role codes get them here, so an
upgraded district's administrators and analysts keep creating tokens. Abilities a row already lists
are kept (the list is extended, never replaced).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0802_api_token_ability"
down_revision = "0801_role_abilities"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

GRANTED = {
    "admin": ["use_api_tokens"],
    "analyst": ["use_api_tokens"],
    "sensor_gateway": ["use_api_tokens"],
    "dispatcher": ["dashboard"],
}
# The dashboard acts on the departments a role oversees: the command centre oversees them all.
OVERSEES = {"dispatcher": "all"}


def upgrade() -> None:
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON), sa.column("oversees", sa.String))
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            current = list(may or [])
            merged = current + [ability for ability in added if ability not in current]
            values: dict[str, object] = {"may": merged}
            if code in OVERSEES:
                values["oversees"] = OVERSEES[code]
            connection.execute(roles.update().where(roles.c.code == code).values(**values))


def downgrade() -> None:
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON), sa.column("oversees", sa.String))
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            values: dict[str, object] = {"may": [ability for ability in (may or []) if ability not in added]}
            if code in OVERSEES:
                values["oversees"] = None
            connection.execute(roles.update().where(roles.c.code == code).values(**values))
