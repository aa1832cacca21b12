"""Tables of the time-limit layer: the business calendar, SLA clocks, extensions, escalations,
urgings and notifications. Everything a dashboard or a sweep reads is a plain indexed column."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base, utcnow
from engine.store.statuses import ClockStatus, EscalationStatus, ExtensionStatus


class CalendarYear(Base):
    """One loaded year of the day table and where its data came from."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # official | draft
    origin: Mapped[str] = mapped_column(String(40))  # chinese_calendar | year_file
    source: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[date | None]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(80), default="system")


class CalendarDay(Base):
    """A holiday or make-up workday of one year's notice (plain weekdays/weekends are not stored).

    Keyed by the owning year too: a notice may put a day in December of the year before."""

    __tablename__ = "calendar_days"

    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # holiday | makeup
    name: Mapped[str | None] = mapped_column(String(100))


class SlaClock(Base):
    """The time limit running on one work item under one policy (and stage)."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index("ix_sla_clocks_case_status", "case_id", "status"),
        Index("ix_sla_clocks_work_item", "work_item_id"),
        # Loading a calendar year reads only the provisional, still-running clocks.
        Index("ix_sla_clocks_provisional_status", "provisional", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    work_item_id: Mapped[str] = mapped_column(String(36))
    policy_key: Mapped[str] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(40))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    stage_name: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    counting: Mapped[str] = mapped_column(String(20), default="elapsed")
    limit_amount: Mapped[float] = mapped_column(Float)
    extension_amount: Mapped[float] = mapped_column(Float, default=0.0)
    warning_ratio: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime]
    # [[paused_at, resumed_at | null], ...] as ISO strings, in order; a null end means paused now.
    pauses: Mapped[list[Any]] = mapped_column(default=list)
    pause_flag_seen: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), default=ClockStatus.RUNNING)
    due_at: Mapped[datetime | None]
    warn_at: Mapped[datetime | None]
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    missing_years: Mapped[list[Any]] = mapped_column(default=list)
    warned_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    stage_history: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class SlaCasePause(Base):
    """A stretch of time in which the case's limits did not run (the process set ``sla_paused``).

    Kept per case, not only on the clocks running at the time: a limit counted from an earlier instant
    (the decision, 20 working days from acceptance) must skip a pause that fell before its work item
    opened — the site inspection between the departments' review and the decision."""

    __tablename__ = "sla_case_pauses"
    __table_args__ = (
        Index("ix_sla_case_pauses_case", "case_id", "paused_at"),
        # The pauses still running, whatever the history holds (migration 1101_open_case_pauses).
        Index("ix_sla_case_pauses_open", "case_id", postgresql_where=text("resumed_at IS NULL"),
              sqlite_where=text("resumed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    paused_at: Mapped[datetime]
    resumed_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(300))


class SlaExtension(Base):
    """A request to extend a running limit (延期) and the supervisor's decision on it."""

    __tablename__ = "sla_extensions"
    __table_args__ = (Index("ix_sla_extensions_status_requested", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    clock_id: Mapped[int] = mapped_column(ForeignKey("sla_clocks.id"))
    work_item_id: Mapped[str] = mapped_column(String(36))
    department: Mapped[str | None] = mapped_column(String(40))
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ExtensionStatus.PENDING)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class Escalation(Base):
    """A passed limit handed up to a supervisor or department head; open until acknowledged."""

    __tablename__ = "sla_escalations"
    __table_args__ = (
        Index("ix_sla_escalations_status_role_dept", "status", "target_role", "department"),
        Index("ix_sla_escalations_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    clock_id: Mapped[int | None] = mapped_column(ForeignKey("sla_clocks.id"))
    work_item_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(300))
    department: Mapped[str | None] = mapped_column(String(40))
    target_role: Mapped[str] = mapped_column(String(40))  # supervisor | department_head
    reason: Mapped[str] = mapped_column(String(40))  # breach | stage_breach
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=EscalationStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime | None]


class Urging(Base):
    """督办: a supervisor pressing a case; counted per department in the KPIs."""

    __tablename__ = "sla_urgings"
    __table_args__ = (
        Index("ix_sla_urgings_department_at", "department", "at"),
        Index("ix_sla_urgings_case", "case_id"),
        # Urgings of a period across departments (the dashboard's and the bulletins' counts; 0901_bulletins).
        Index("ix_sla_urgings_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    work_item_id: Mapped[str | None] = mapped_column(String(36))
    department: Mapped[str | None] = mapped_column(String(40))
    urged_by: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """Something a user should read: an urging, a reminder, an escalation, a decision."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient_read", "recipient", "read", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    work_item_id: Mapped[str | None] = mapped_column(String(36))
    # The words in Chinese, the district's working language, as the notice was made (rows made before
    # message_key was recorded have only these).
    message: Mapped[str] = mapped_column(Text)
    # What the notice says, as a key and its facts (codes, names as stored, times in ISO form): a page
    # words it in its reader's language when shown (web/dashboard/notices.py). None on older rows.
    message_key: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
