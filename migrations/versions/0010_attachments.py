"""attachments: files attached to task and start forms, one row per file and case, the bytes in the upload directory

Revision ID: 0010_attachments
Revises: 0001
Create Date: 2026-11-24

Branches from the initial schema (cases, work_items) like the other feature migrations; the files
themselves live under CASEGRID_UPLOAD_DIR, named by sha256 (engine.attachments.storage). case_id is
nullable: a start form's files are stored before its case exists and bound to it in the same
transaction, so no committed row lacks a case.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_attachments"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("work_item_id", sa.String(length=36), nullable=True),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_by", sa.String(length=80), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")),
        sa.ForeignKeyConstraint(["work_item_id"], ["work_items.id"],
                                name=op.f("fk_attachments_work_item_id_work_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_case_id", "attachments", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_case_id", table_name="attachments")
    op.drop_table("attachments")
