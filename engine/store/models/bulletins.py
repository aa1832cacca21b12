"""Bulletins (通报): one row per bulletin definition and period, with its figures and generated files."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow


class Bulletin(Base):
    __tablename__ = "bulletins"
    __table_args__ = (
        # One bulletin per definition and period: the worker and a second worker (or a rerun) cannot
        # both insert it; a rerun replaces the row's figures and files instead.
        UniqueConstraint("definition", "period", name="uq_bulletins_definition_period"),
        # The bulletins page lists the newest periods first.
        Index("ix_bulletins_period_start", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))  # 2026-11, 2026-W45, 2026-Q4
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    # The period had not ended when the figures were read (an on-demand run of the current period).
    complete: Mapped[bool] = mapped_column(default=True)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    generated_by: Mapped[str] = mapped_column(String(80), default="system")
    revision: Mapped[int] = mapped_column(Integer, default=1)  # 2, 3…: recomputed on request (late data)
    # The generated files in the district's language (zh); English is rendered from `figures` on download.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
