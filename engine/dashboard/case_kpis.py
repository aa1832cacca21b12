"""Case figures for the dashboard's headline: how many cases closed in a period, and how many of them on time.

A case counts, not its steps: one case of seven steps closed on time is one case on time. A closed case
had a time limit when its own due date was set or any of its steps ran against one; it closed on time
when it closed by its own due date and none of its steps' limits was breached (closed late, or still
overdue when the step ended). Cases without any limit do not enter the rate, as steps without one do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, SlaState

# Step marks that say a step ran against a limit, and those that say the limit was breached.
_LIMITED = (SlaState.MET, SlaState.MET_LATE, SlaState.OVERDUE)
_BREACHED = (SlaState.MET_LATE, SlaState.OVERDUE)


@dataclass(frozen=True)
class CaseFigures:
    closed: int  # completed in the period; cancelled reports were not handled to the end and do not count
    closed_with_limit: int
    closed_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed_with_limit if self.closed_with_limit else None


def case_figures(session: Session, since: datetime, until: datetime, departments: list[str] | None) -> CaseFigures:
    """Cases completed in [since, until) in ``departments`` (None: all), by the rule of this module.

    Counted in the database in one statement: a month of closures is tens of thousands of cases, and
    sending each (with its steps' marks) to Python to count cost seconds on a busy district."""
    limited = exists().where(WorkItem.case_id == Case.id, WorkItem.sla_state.in_(_LIMITED))
    breached = exists().where(WorkItem.case_id == Case.id, WorkItem.sla_state.in_(_BREACHED))
    late_by_own_due = and_(Case.due_at.is_not(None), Case.closed_at > Case.due_at)
    with_limit = or_(Case.due_at.is_not(None), limited)
    on_time = and_(with_limit, not_(late_by_own_due), not_(breached))
    query = select(func.count(), func.sum(case((with_limit, 1), else_=0)), func.sum(case((on_time, 1), else_=0))
                   ).where(Case.closed_at >= since, Case.closed_at < until, Case.status == CaseStatus.COMPLETED)
    if departments is not None:
        query = query.where(Case.department.in_(departments))
    closed, closed_with_limit, closed_on_time = session.execute(query).one()
    return CaseFigures(closed or 0, closed_with_limit or 0, closed_on_time or 0)
