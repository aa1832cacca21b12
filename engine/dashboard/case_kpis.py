"""Case figures for the dashboard's headline: how many cases closed in a period, and how many of them on time.

A case counts, not its steps: one case of seven steps closed on time is one case on time. A closed case
had a time limit when its own due date was set or any of its steps ran against one; it closed on time
when it closed by its own due date and none of its steps' limits was breached (closed late, or still
overdue when the step ended). Cases without any limit do not enter the rate, as steps without one do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
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


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # stored as UTC


def verdict_columns() -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(had a limit, closed on time) of a closed case as SQL, by the rule of this module: the database
    counts a month of closures in one statement instead of sending each case and its steps' marks to Python."""
    # OFFSET 0 keeps PostgreSQL from hashing the subquery: for a month of closures it would read every
    # step of the whole history to build the hash (a sequential scan of all work items) instead of
    # looking up each case's steps by index (engine.org.access does the same for visibility).
    limited = select(WorkItem.id).where(WorkItem.case_id == Case.id, WorkItem.sla_state.in_(_LIMITED)).offset(0).exists()
    breached = select(WorkItem.id).where(WorkItem.case_id == Case.id, WorkItem.sla_state.in_(_BREACHED)).offset(0).exists()
    late_by_own_due = and_(Case.due_at.is_not(None), Case.closed_at > Case.due_at)
    with_limit = or_(Case.due_at.is_not(None), limited)
    return with_limit, and_(with_limit, not_(late_by_own_due), not_(breached))


def _completed_in(since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(Case.closed_at >= since, Case.closed_at < until, Case.status == CaseStatus.COMPLETED)


def case_figures(session: Session, since: datetime, until: datetime, departments: list[str] | None) -> CaseFigures:
    """Cases completed in [since, until) in ``departments`` (None: all), by the rule of this module."""
    with_limit, on_time = verdict_columns()
    query = select(func.count(), func.sum(case((with_limit, 1), else_=0)), func.sum(case((on_time, 1), else_=0))
                   ).where(_completed_in(since, until))
    if departments is not None:
        query = query.where(Case.department.in_(departments))
    closed, closed_with_limit, closed_on_time = session.execute(query).one()
    return CaseFigures(closed or 0, closed_with_limit or 0, closed_on_time or 0)


def case_figures_by(session: Session, since: datetime, until: datetime,
                    by: str = "department") -> dict[str | None, CaseFigures]:
    """The same figures per department or per street (``by``) of the case: the bulletins (engine.bulletins)
    read them here, so a bulletin and the dashboard cannot count a period differently."""
    unit = getattr(Case, by)
    with_limit, on_time = verdict_columns()
    query = select(unit, func.count(), func.sum(case((with_limit, 1), else_=0)),
                   func.sum(case((on_time, 1), else_=0))).where(_completed_in(since, until)).group_by(unit)
    return {found: CaseFigures(closed or 0, limited or 0, in_time or 0)
            for found, closed, limited, in_time in session.execute(query)}


def closed_cases(session: Session, since: datetime, until: datetime,
                 departments: list[str] | None) -> list[tuple[int, datetime, datetime | None]]:
    """(id, closed_at, due_at) of the cases completed in [since, until) in ``departments`` (None: all)."""
    query = select(Case.id, Case.closed_at, Case.due_at).where(_completed_in(since, until))
    if departments is not None:
        query = query.where(Case.department.in_(departments))
    return [(row.id, row.closed_at, row.due_at) for row in session.execute(query)]


def on_time_verdicts(session: Session, cases: list[tuple[int, datetime, datetime | None]]) -> dict[int, bool | None]:
    """Each closed case: True on time, False late, None without any limit (left out of rates); the same
    rule as verdict_columns, for the trend's fallback where the database cannot group by local day."""
    limited: set[int] = set()
    breached: set[int] = set()
    ids = [case_id for case_id, _closed, _due in cases]
    for start in range(0, len(ids), 5000):  # bounded IN lists on a busy month
        marks = select(WorkItem.case_id, WorkItem.sla_state).where(
            WorkItem.case_id.in_(ids[start:start + 5000]), WorkItem.sla_state.in_(_LIMITED))
        for case_id, state in session.execute(marks):
            limited.add(case_id)
            if state in _BREACHED:
                breached.add(case_id)
    verdicts: dict[int, bool | None] = {}
    for case_id, closed_at, due_at in cases:
        if due_at is None and case_id not in limited:
            verdicts[case_id] = None
            continue
        late_by_own_due = due_at is not None and _utc(closed_at) > _utc(due_at)
        verdicts[case_id] = not late_by_own_due and case_id not in breached
    return verdicts
