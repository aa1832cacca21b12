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
