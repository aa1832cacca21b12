"""Timers: BPMN timer events and SLA deadlines as rows with an absolute due time."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow
from engine.store.statuses import TimerStatus


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (
        # The sweep reads only pending rows in due order; a partial index would be smaller on
        # PostgreSQL, but this one serves both backends.
        Index("ix_timers_status_due", "status", "due_at"),
        Index("ix_timers_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(20))
    spiff_task_id: Mapped[str | None] = mapped_column(String(36))
    work_item_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200), default="")
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=TimerStatus.PENDING)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fired_at: Mapped[datetime | None]
    fired_by: Mapped[str | None] = mapped_column(String(80))
