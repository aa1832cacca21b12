"""Bulletins (通报): produce one on demand (or recompute it after late data), and the worker's round that
produces each bulletin whose period has closed, once (engine.bulletins, docs/bulletins.md).

Who: roles that may ``publish_bulletins`` (403 otherwise); an unknown definition is 404; a period that
has not started is 409; a period label of the wrong form is 422.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from engine.bulletins.service import Produced, definition_named, due, produce
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.reporting.periods import parse_period


def run_bulletin(session: Session, actor: Actor, name: str, period: str, now: datetime | None = None) -> Produced:
    """`casegrid bulletin run NAME --period 2026-11`: the bulletin of that period, made or made again."""
    require_ability(actor, Ability.PUBLISH_BULLETINS)
    definition = definition_named(session, name)
    return produce(session, definition, parse_period(definition.period, period), now or datetime.now(UTC),
                   actor.username)


def produce_due_bulletin(session: Session, now: datetime | None = None) -> Produced | None:
    """The worker's round: the first bulletin due and not yet produced (None: nothing is due). The caller
    commits it and asks again; a bulletin another worker inserted meanwhile fails on the unique
    (definition, period) and is not produced twice."""
    now = now or datetime.now(UTC)
    pending = due(session, now)
    if not pending:
        return None
    definition, period = pending[0]
    return produce(session, definition, period, now)
