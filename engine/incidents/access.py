"""Who works incidents: the organisation's administrators and business analysts retry and cancel them
(they are the ones who can fix the cause: deploy a corrected version, migrate, load a calendar);
supervisors also see the list, since a stuck case misses its time limit on their dashboard."""
from __future__ import annotations

from engine.errors import Forbidden
from engine.org.access import Actor

OPERATOR_ROLES = frozenset({"admin", "analyst"})
VIEWER_ROLES = OPERATOR_ROLES | {"supervisor"}


def may_operate(actor: Actor) -> bool:
    return actor.is_system or bool(actor.role_codes & OPERATOR_ROLES)


def may_view(actor: Actor) -> bool:
    return actor.is_system or bool(actor.role_codes & VIEWER_ROLES)


def require_view(actor: Actor) -> None:
    if not may_view(actor):
        raise Forbidden(f"{actor.username} may not see the incident list; administrators, analysts and "
                        "supervisors do")
