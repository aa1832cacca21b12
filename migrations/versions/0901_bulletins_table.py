"""bulletins (通报): one row per definition and period, with figures and the generated PDF and XLSX

Revision ID: 0901_bulletins_table
Revises: 0802_api_token_ability
Create Date: 2026-12-05

Bulletins are produced by the worker when a period closes (rules/bulletins/*.yaml) or on demand
(`casegrid bulletin run`). Two new abilities, `see_bulletins` (the bulletins page and downloads) and
`publish_bulletins` (produce one on demand), are loaded from the organisation file by `casegrid init`;
until it runs again, existing rows of the shipped roles get them here (lists are extended, never replaced).
Urgings get an index on their time, so a period's count over every department reads that period only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0901_bulletins_table"
down_revision = "0802_api_token_ability"
branch_labels = None
depends_on = ("0002_sla",)  # sla_urgings, indexed here

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

GRANTED = {
    "supervisor": ["see_bulletins", "publish_bulletins"],
    "admin": ["see_bulletins", "publish_bulletins"],
    "department_head": ["see_bulletins"],
    "dispatcher": ["see_bulletins"],
}


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("figures", JSON, nullable=False),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(length=80), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("xlsx", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint("definition", "period", name="uq_bulletins_definition_period"),
    )
    op.create_index("ix_bulletins_period_start", "bulletins", ["period_start"])
    # Urgings of a period for every department at once: (department, at) cannot bound a range on `at` alone.
    op.create_index("ix_sla_urgings_at", "sla_urgings", ["at"])
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))
    connection = op.get_bind()
    for code, added in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            current = list(may or [])
            merged = current + [ability for ability in added if ability not in current]
            connection.execute(roles.update().where(roles.c.code == code).values(may=merged))


def downgrade() -> None:
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("may", JSON))
    connection = op.get_bind()
    for code, removed in GRANTED.items():
        for (may,) in connection.execute(sa.select(roles.c.may).where(roles.c.code == code)).all():
            kept = [ability for ability in (may or []) if ability not in removed]
            connection.execute(roles.update().where(roles.c.code == code).values(may=kept))
    op.drop_index("ix_sla_urgings_at", table_name="sla_urgings")
    op.drop_index("ix_bulletins_period_start", table_name="bulletins")
    op.drop_table("bulletins")
