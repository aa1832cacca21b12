"""Which departments a supervising user oversees: supervisors and admins all, a department head their own."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound
from engine.org.access import Actor
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

ALL_DEPARTMENTS_ROLES = frozenset({"supervisor", "admin"})
DASHBOARD_ROLES = frozenset({"supervisor", "department_head", "admin"})


def departments_in_scope(actor: Actor) -> list[str] | None:
    """None = every department; a department head gets [their department] (or [] without one)."""
    if actor.is_system or actor.role_codes & ALL_DEPARTMENTS_ROLES:
        return None
    if "department_head" in actor.role_codes:
        return [actor.department] if actor.department else []
    raise Forbidden(f"{actor.username} does not oversee any department")


def case_in_scope(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, if the actor oversees it; a department head may act on their department's cases only."""
    departments = departments_in_scope(actor)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    if departments is None or case.department in departments:
        return case
    # A case routed elsewhere may still have a step open in the head's department (co-handling, or a
    # process whose tasks name their department without routing the case): that step is theirs to press.
    open_here = session.scalar(select(WorkItem.id).where(
        WorkItem.case_id == case.id, WorkItem.status == "open", WorkItem.department.in_(departments)).limit(1))
    if open_here is None:
        raise Forbidden(f"case {case.business_key} is outside {actor.username}'s department")
    return case
