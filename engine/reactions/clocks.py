"""Reaction: time-limit clocks follow the work items a step opened and closed."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.runtime.reactions import StepResult
from engine.sla.clocks import sync_clocks


def sync_clocks_on_step(session: Session, result: StepResult) -> None:
    sync_clocks(session, result.case, result.actor, result.task_data)
