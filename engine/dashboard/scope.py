"""Which departments a supervising user oversees: as their roles declare `oversees` (all, or their own department)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden
from engine.org.access import Actor, visible_case
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus


def departments_in_scope(actor: Actor) -> list[str] | None:
    """None = every department; a department head gets [their department] (or [] without one)."""
    if actor.oversees("all"):
        return None
    if actor.oversees("department"):
        return [actor.department] if actor.department else []
    raise Forbidden(f"{actor.username} does not oversee any department", key="supervision.no_department")


def case_in_scope(session: Session, actor: Actor, case_id: int) -> Case:
    """The case, if the actor oversees it; a department head may act on their department's cases only."""
    departments = departments_in_scope(actor)
    case = visible_case(session, actor, case_id)  # NotFound when they may not even see it
    if departments is None or case.department in departments:
        return case
    # A case routed elsewhere may still have a step open in the head's department (co-handling, or a
    # process whose tasks name their department without routing the case): that step is theirs to press.
    open_here = session.scalar(select(WorkItem.id).where(
        WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN, WorkItem.department.in_(departments)).limit(1))
    if open_here is None:
        raise Forbidden(f"case {case.business_key} is outside {actor.username}'s department",
                        key="supervision.outside_department", params={"case": case.business_key})
    return case
