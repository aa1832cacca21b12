"""The dashboard's actions: 督办 (urge) and extension decisions, held to the departments the actor oversees."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.dashboard.scope import case_in_scope, departments_in_scope
from engine.errors import Forbidden, NotFound
from engine.org.access import Actor
from engine.sla.services import decide_extension, urge
from engine.store.models.sla import SlaExtension, Urging


def urge_case(session: Session, actor: Actor, case_id: int, message: str) -> Urging:
    case_in_scope(session, actor, case_id)
    return urge(session, case_id, actor, message)


def decide(session: Session, actor: Actor, extension_id: int, approve: bool, note: str) -> SlaExtension:
    extension = session.get(SlaExtension, extension_id)
    if extension is None:
        raise NotFound(f"extension request {extension_id} does not exist")
    departments = departments_in_scope(actor)
    if departments is not None and extension.department not in departments:
        raise Forbidden(f"extension request {extension_id} is outside {actor.username}'s department")
    return decide_extension(session, extension_id, actor, approve, note)
