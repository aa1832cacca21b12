"""Incidents: a case that cannot move (a failed timer step, an uncaught message) or a user step that keeps failing.

A blocking incident holds what retry needs (the timer to fire again) and counts in
``cases.open_incidents``, the flag lists read to show 有异常 without a join. A failed user action
(``kind = user_action``) blocks nothing: the user got a 422 and the case is unchanged; it is kept so an
operator sees repeated failures of the same step, and never counts in the case flag.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class IncidentKind(StrEnum):
    SCRIPT = "script"  # a script, condition, gateway or decision raised
    MESSAGE = "message"  # a message nobody waits for and no process starts on
    TIMER = "timer"  # any other engine error while a timer fired (a bad timer expression, …)
    WORKER = "worker"  # an unexpected exception in the worker's handler
    STALLED = "stalled"  # a running case found waiting on nothing (engine.incidents.stalls)
    USER_ACTION = "user_action"  # a user's start or complete failed; the user was answered 422

    @property
    def blocking(self) -> bool:
        return self is not IncidentKind.USER_ACTION


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        # The operator page and the dashboard list open incidents newest first; the same index finds
        # "the open incident of this element" before a new one is opened (status first, then case).
        Index("ix_incidents_status_created", "status", "created_at"),
        Index("ix_incidents_status_case_element", "status", "case_id", "element"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None only for a failed start: the case was never created.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    process_key: Mapped[str | None] = mapped_column(String(100))
    element: Mapped[str] = mapped_column(String(200), default="")  # BPMN element id
    element_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # IncidentKind
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.OPEN)  # IncidentStatus
    # What retry re-runs: the timer whose firing failed (None for a user action).
    timer_id: Mapped[int | None] = mapped_column(ForeignKey("timers.id"))
    # Who met the failure: the worker's name, or the user whose action failed.
    raised_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def blocking(self) -> bool:
        return IncidentKind(self.kind).blocking

    @property
    def is_open(self) -> bool:
        return self.status == IncidentStatus.OPEN
