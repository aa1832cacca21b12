"""user_identities: the single sign-on subject each user is bound to

Revision ID: 1001_ingest_user_identities
Revises: 0901_events_ingested
Create Date: 2026-12-06

Single sign-on used to match people by the value of a configurable claim (the username). A provider
that renames an account, or hands a freed username to someone else, would then sign a different
person into the old account. The provider's stable identifier is the pair (issuer, sub): it is
recorded at a user's first sign-in and matched first afterwards (engine.commands.users). A table, not
columns on users: a district that moves to another identity platform binds the same user to a second
issuer without losing the first binding while both run.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "1001_ingest_user_identities"
down_revision = "0901_events_ingested"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_claimed_username", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_identities_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identities")),
        sa.UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_user_identities_user_issuer"),
    )


def downgrade() -> None:
    op.drop_table("user_identities")
