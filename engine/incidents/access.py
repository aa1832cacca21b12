"""Who works incidents: holders of a role that may operate_incidents retry and cancel them (in the shipped
district administrators and business analysts, who can fix the cause: deploy a corrected version,
migrate, load a calendar); see_incidents opens the list only (supervisors: a stuck case misses its time
limit on their dashboard). Declared per role in rules/organisation.yaml (engine.org.abilities)."""
from __future__ import annotations

from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability

# Either opens the list: operating an incident includes seeing it.
VIEWING = (Ability.SEE_INCIDENTS, Ability.OPERATE_INCIDENTS)


def may_operate(actor: Actor) -> bool:
    return actor.may(Ability.OPERATE_INCIDENTS)


def may_view(actor: Actor) -> bool:
    return any(actor.may(ability) for ability in VIEWING)


def require_view(actor: Actor) -> None:
    if not may_view(actor):
        require_ability(actor, Ability.SEE_INCIDENTS)


def require_operate(actor: Actor) -> None:
    require_ability(actor, Ability.OPERATE_INCIDENTS)
