"""What a step changed, and the reactions that follow it.

A step (start, complete, message, timer, cancel) ends in ``engine.cases.service.persist``, which writes the
workflow and its projections and then hands a ``StepResult`` to every registered reaction, in
registration order, inside the same transaction: time-limit clocks, message routing, event rule sets.
Reactions live above the case core (engine.reactions) and are registered once at start-up
(``engine.app.boot``), so the core never imports them and no import cycle is dodged inside a function.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem


@dataclass(frozen=True)
class StepResult:
    """One step of one case, as the reactions see it."""

    case: Case
    actor: str
    opened: tuple[WorkItem, ...] = ()
    # Work items this step closed: the one completed and those withdrawn (boundary event, cancel).
    closed: tuple[str, ...] = ()
    # Each open work item's own task data (a multi-instance element carries its own values).
    task_data: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Messages thrown that no catch event inside this case took.
    thrown: tuple[Any, ...] = ()
    started: bool = False
    # The case left `running` in this step (completed, or cancelled by the process or a person).
    ended: bool = False


Reaction = Callable[[Session, StepResult], None]

_reactions: list[tuple[str, Reaction]] = []
_booted = False


def register(name: str, reaction: Reaction) -> None:
    """Add a reaction (idempotent by name, so a second boot changes nothing)."""
    global _booted
    if all(existing != name for existing, _ in _reactions):
        _reactions.append((name, reaction))
    _booted = True


def dispatch(session: Session, result: StepResult) -> None:
    if not _booted:
        # A process that forgot engine.app.boot() would silently lose clocks, messages and rules.
        raise RuntimeError("no reactions are registered: call engine.app.boot.boot() at start-up")
    for _name, reaction in _reactions:
        reaction(session, result)
