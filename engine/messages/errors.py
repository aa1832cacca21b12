"""Errors of message delivery."""
from __future__ import annotations

from engine.errors import Conflict


class NoWaitingCase(Conflict):
    """No running case waits for this message (with this correlation); nothing was changed."""

    code = "no_waiting_case"
