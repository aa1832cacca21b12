"""Errors of incident handling."""
from __future__ import annotations

from engine.errors import CasegridError


class RetryFailed(CasegridError):
    """A retry ran and failed again: the incident stays open with one more attempt and the new error."""

    code = "retry_failed"
    status = 422
