"""Supervision commands: 督办 (urge) a case and decide an extension request: for holders of a role that
may do it (engine.org.abilities), held to the departments the actor oversees (engine.dashboard.scope)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.dashboard.scope import case_in_scope, departments_in_scope
from engine.errors import Forbidden, NotFound
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.sla import services
from engine.store.models.sla import SlaExtension, Urging


def urge(session: Session, actor: Actor, case_id: int, message: str) -> Urging:
    """Press a running case; every open task's assignee (or candidates) is notified."""
    require_ability(actor, Ability.URGE)
    case = case_in_scope(session, actor, case_id)
    return services.urge(session, case.id, actor, message)


def decide_extension(session: Session, actor: Actor, extension_id: int, approve: bool, note: str = "") -> SlaExtension:
    """Approve (the deadline moves by the amount) or reject a pending extension request."""
    departments = departments_in_scope(actor)
    extension = session.get(SlaExtension, extension_id)
    if extension is None:
        raise NotFound(f"extension request {extension_id} does not exist", key="extension.not_found")
    if departments is not None and extension.department not in departments:
        raise Forbidden(f"extension request {extension_id} is outside your department",
                        key="extension.outside_department")
    return services.decide_extension(session, extension_id, actor, approve, note)
