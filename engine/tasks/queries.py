"""Inbox queries on the work-item projection; never touch workflow state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, not_, or_, select
from sqlalchemy.orm import Session

from engine.org.access import Actor, task_candidate, task_visible
from engine.sla.queries import overdue_condition, paused_condition
from engine.store.counting import Total, page_with_total
from engine.store.like import ESCAPE, containing
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import SlaState

MAX_PAGE = 200


@dataclass(frozen=True)
class TaskFilter:
    scope: str = "mine"  # mine | candidate | department | all
    status: str = "open"
    case_id: int | None = None
    department: str | None = None
    role: str | None = None
    text: str | None = None
    due_before: datetime | None = None
    sla_state: str | None = None


def task_query(actor: Actor, flt: TaskFilter) -> Select[tuple[WorkItem]]:
    """The actor's tasks in `flt.scope`; whatever the scope, only tasks the access specification lets
    them see (engine.org.access), so every row opens and the total counts exactly the rows."""
    query = select(WorkItem).where(task_visible(actor))
    if flt.status != "any":
        query = query.where(WorkItem.status == flt.status)
    if flt.scope == "mine":
        query = query.where(WorkItem.assignee == actor.username)
    elif flt.scope == "candidate":
        # Unclaimed tasks the actor could claim: what they may work and nobody holds yet.
        query = query.where(WorkItem.assignee.is_(None), task_candidate(actor))
    elif flt.scope == "department":
        query = query.where(WorkItem.department == (flt.department or actor.department))
    if flt.case_id is not None:
        query = query.where(WorkItem.case_id == flt.case_id)
    if flt.department and flt.scope != "department":
        query = query.where(WorkItem.department == flt.department)
    if flt.role:
        query = query.where(WorkItem.role == flt.role)
    if flt.due_before is not None:
        query = query.where(WorkItem.due_at < flt.due_before)
    if flt.sla_state == SlaState.PAUSED:
        # 暂停计时: a paused limit of its own, or a step of a case whose limits stand still (the applicant
        # supplementing, a site inspection: steps without a limit of their own, in a case that has one).
        query = query.where(paused_condition())
    elif flt.sla_state == SlaState.OVERDUE:
        # As the dashboard counts it: past its due time even where no breach timer marked it (an extension's
        # review has a due time and no clock), so the filter finds what the rows show as 超期.
        query = query.where(overdue_condition(datetime.now(UTC)))
    elif flt.sla_state:
        query = query.where(WorkItem.sla_state == flt.sla_state, not_(overdue_condition(datetime.now(UTC))))
    if flt.text:
        like = containing(flt.text)
        query = query.join(Case, Case.id == WorkItem.case_id).where(
            or_(WorkItem.task_name.ilike(like, escape=ESCAPE), Case.title.ilike(like, escape=ESCAPE),
                Case.business_key.ilike(like, escape=ESCAPE)))
    return query


def list_tasks(session: Session, actor: Actor, flt: TaskFilter, limit: int = 50,
               offset: int = 0) -> tuple[list[WorkItem], Total]:
    """One page of tasks and their total, bounded like the case list's (closed tasks are history)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = task_query(actor, flt)
    return page_with_total(session, query, (WorkItem.due_at.is_(None), WorkItem.due_at, WorkItem.created_at,
                                            WorkItem.id), offset, limit)
