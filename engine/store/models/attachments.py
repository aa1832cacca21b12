"""The attachments table: one row per file attached to a case through a task or start form."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (
        # Every read starts from a case: its page, its downloads, a clean-up when it is archived.
        Index("ix_attachments_case_id", "case_id"),
        # The orphan purge asks, per content, whether any row still names a stored file.
        Index("ix_attachments_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None inside the transaction that starts a case from a start form (its files are stored before
    # the case exists, then bound to it: engine.attachments.service.bind_to_case), and for a file
    # uploaded ahead of its form through the API until a form names it (engine.attachments.unbound);
    # the orphan purge removes those nobody names. A row without a case is handed out to nobody.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    # The task whose form the file was posted with (None for a start form); work items are never
    # deleted, so the link holds.
    work_item_id: Mapped[str | None] = mapped_column(ForeignKey("work_items.id"))
    field_name: Mapped[str] = mapped_column(String(100))
    # As the uploader's browser named it (cleaned: no folders, no control characters); shown and
    # offered as the download name, never used as a path.
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    # Names the file in the upload directory; equal contents share one file.
    sha256: Mapped[str] = mapped_column(String(64))
    stored_by: Mapped[str] = mapped_column(String(80))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
