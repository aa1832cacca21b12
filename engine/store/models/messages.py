"""Message subscriptions: the projection of every BPMN message event a running case waits for.

Finding the cases a message goes to reads this table (indexed by message name and correlation key),
never a deserialized workflow. Rows exist only while the catch event waits; they are written by
``engine.runtime.subscriptions.sync_subscriptions`` in the same flush as the workflow state.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow


class MessageSubscription(Base):
    __tablename__ = "message_subscriptions"
    __table_args__ = (
        Index("ix_message_subscriptions_name_key", "message_name", "correlation_key"),
        Index("ix_message_subscriptions_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(200))
    message_name: Mapped[str] = mapped_column(String(200))
    # Canonical JSON of `correlation` ("" when the event declares none): equality lookups stay indexed.
    correlation_key: Mapped[str] = mapped_column(String(500), default="")
    correlation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    form_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
