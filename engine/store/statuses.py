"""The statuses the projections store, as enums: a typo is an AttributeError, not a silent mismatch.

They are ``StrEnum`` so a row read back (a plain string) compares equal to its member and queries,
JSON and templates see the same words as before.
"""
from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkItemStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class TimerStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ClockStatus(StrEnum):
    """An SLA clock's life: it runs, may pause (waiting for the applicant), and ends met (in time or
    late) or cancelled with its work item."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    MET_LATE = "met_late"
    # The task completed by asking for more time through its own form: neither met nor late.
    EXTENSION_ASKED = "extension_asked"
    CANCELLED = "cancelled"


ACTIVE_CLOCK_STATUSES = (ClockStatus.RUNNING, ClockStatus.PAUSED)


class ExtensionStatus(StrEnum):
    """A request to extend a limit (延期) waits for one decision."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    # The limit it was asked for ended first (the task was completed or cancelled).
    WITHDRAWN = "withdrawn"


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class SlaState(StrEnum):
    """A work item's time-limit mark as lists and dashboards show it (derived from its clock)."""

    NONE = "none"
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    PAUSED = "paused"
    MET = "met"
    MET_LATE = "met_late"
    EXTENSION_ASKED = "extension_asked"
