"""attachment uploads: an index on sha256 for the orphan purge

Revision ID: 0011_attachment_uploads
Revises: 0010_attachments
Create Date: 2026-11-24

Files uploaded through the API ahead of their form are rows without a case until a completion or
start names them (engine.attachments.unbound); the purge (engine.attachments.purge) deletes old ones
and removes a stored file only when no row names its sha256 any more, which this index answers.
"""
from __future__ import annotations

from alembic import op

revision = "0011_attachment_uploads"
down_revision = "0010_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_attachments_sha256", "attachments", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachments_sha256", table_name="attachments")
