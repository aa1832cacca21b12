"""Cancel a case on someone's behalf: supervisors and admins, or whoever opened it."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.cases.access import sees_all_cases
from engine.cases.service import cancel_case, get_case
from engine.errors import Forbidden
from engine.org.access import Actor
from engine.store.models.cases import Case


def may_cancel(actor: Actor, case: Case) -> bool:
    return sees_all_cases(actor) or case.opened_by == actor.username


def cancel_as(session: Session, case_id: int, actor: Actor, reason: str) -> Case:
    if not may_cancel(actor, get_case(session, case_id)):
        raise Forbidden(f"{actor.username} may not cancel case {case_id}")
    return cancel_case(session, case_id, actor, reason)
