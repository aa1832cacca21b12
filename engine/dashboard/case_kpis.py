"""Case figures for the dashboard's headline: how many cases closed in a period, and how many of them on time.

A case counts, not its steps: one case of seven steps closed on time is one case on time. A closed case
had a time limit when its own due date was set or any of its steps ran against one; it closed on time
when it closed by its own due date and none of its steps' limits was breached (closed late, or still
overdue when the step ended). Cases without any limit do not enter the rate, as steps without one do not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
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


def _closed_cases(since: datetime, until: datetime):  # type: ignore[no-untyped-def]
    return select(Case.id, Case.closed_at, Case.due_at, Case.department, Case.street).where(
        Case.closed_at >= since, Case.closed_at < until, Case.status == CaseStatus.COMPLETED)


def _classify(session: Session, cases: list) -> dict[int, bool | None]:  # type: ignore[type-arg]
    """case id -> True (closed on time), False (late), None (no limit), by the rule of this module."""
    limited: set[int] = set()
    breached: set[int] = set()
    ids = [c.id for c in cases]
    for start in range(0, len(ids), 5000):  # bounded IN lists on a busy month
        marks = select(WorkItem.case_id, WorkItem.sla_state).where(
            WorkItem.case_id.in_(ids[start:start + 5000]), WorkItem.sla_state.in_(_LIMITED))
        for case_id, state in session.execute(marks):
            limited.add(case_id)
            if state in _BREACHED:
                breached.add(case_id)
    verdicts: dict[int, bool | None] = {}
    for case in cases:
        late_by_own_due = case.due_at is not None and _utc(case.closed_at) > _utc(case.due_at)
        if case.due_at is None and case.id not in limited:
            verdicts[case.id] = None
        else:
            verdicts[case.id] = not late_by_own_due and case.id not in breached
    return verdicts


def _figures(verdicts: list[bool | None]) -> CaseFigures:
    with_limit = [v for v in verdicts if v is not None]
    return CaseFigures(len(verdicts), len(with_limit), sum(with_limit))


def case_figures(session: Session, since: datetime, until: datetime, departments: list[str] | None) -> CaseFigures:
    """Cases completed in [since, until) in ``departments`` (None: all), by the rule of this module."""
    query = _closed_cases(since, until)
    if departments is not None:
        query = query.where(Case.department.in_(departments))
    cases = session.execute(query).all()
    if not cases:
        return CaseFigures(0, 0, 0)
    return _figures(list(_classify(session, cases).values()))


def case_figures_by(session: Session, since: datetime, until: datetime,
                    by: str = "department") -> dict[str | None, CaseFigures]:
    """The same figures per department or per street (``by``) of the case: the bulletins (engine.bulletins)
    read them here, so a bulletin and the dashboard cannot count a period differently."""
    cases = session.execute(_closed_cases(since, until)).all()
    verdicts = _classify(session, cases) if cases else {}
    grouped: dict[str | None, list[bool | None]] = {}
    for case in cases:
        grouped.setdefault(getattr(case, by), []).append(verdicts[case.id])
    return {unit: _figures(found) for unit, found in grouped.items()}
