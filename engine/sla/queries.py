"""Supervision queries on the projections (work items, clocks, escalations, urgings).

They never load a workflow. Each reads through an index whose leading columns bound the rows to
what is open now or what closed in the period asked for, so their cost follows the open workload
and the period's volume, not the size of the history (see bench/overview_bench.py).

"Overdue" is judged against ``now`` as well as the stored state, so a list is right even while no
worker has fired the breach timer yet; paused items are never overdue. A step is paused when its own
limit is or when its case's limits stand still (暂停计时: the applicant supplementing, a site inspection,
engine.sla.case_marks), as the inbox's 暂停计时 filter reads it: the step the case waits in has often no
limit of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from engine.sla.case_marks import paused_cases
from engine.store.models.cases import Case
from engine.store.models.sla import Escalation, Urging
from engine.store.models.tasks import WorkItem
from engine.store.statuses import EscalationStatus, SlaState, WorkItemStatus

MAX_PAGE = 500


@dataclass(frozen=True)
class OverviewRow:
    """Figures for one department (``key`` = department code, None = steps a role takes in no department) or one step
    (``key`` = (process key, BPMN task id)). ``on_time_rate`` is closed_on_time / closed_with_limit,
    None when nothing with a limit closed in the period."""

    key: str | tuple[str, str] | None
    label: str | None
    open: int
    at_risk: int
    overdue: int
    paused: int
    closed: int
    closed_with_limit: int
    closed_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed_with_limit if self.closed_with_limit else None


@dataclass(frozen=True)
class OverdueRow:
    work_item_id: str
    case_id: int
    business_key: str
    task_spec: str
    task_name: str
    department: str | None
    assignee: str | None
    due_at: datetime
    sla_state: str
    role: str | None = None  # who may take a task with no department (an extension's approval: a role's)


def paused_condition():  # type: ignore[no-untyped-def]
    """An open step whose limit does not run: paused itself, or a step of a case whose limits stand still.
    The dashboard's and the inbox's 暂停计时 both read it."""
    return or_(WorkItem.sla_state == SlaState.PAUSED, WorkItem.case_id.in_(paused_cases()))


def overdue_condition(now: datetime):  # type: ignore[no-untyped-def]
    """An open step past its limit at `now`: marked so, or its due time gone while no breach timer marked it
    (a step whose due time the process sets without a clock, an extension's review, is never marked);
    never a paused one, never one withdrawn (its mark stays as it was when it went: history, not a
    limit running now). The dashboard's and the inbox's 超期 both read it; shown_state is the same rule
    for one row a page shows."""
    return and_(WorkItem.status == WorkItemStatus.OPEN, not_(paused_condition()),
                or_(WorkItem.sla_state == SlaState.OVERDUE, and_(WorkItem.due_at.is_not(None), WorkItem.due_at <= now)))


WITHDRAWN_MARK = "withdrawn"


def shown_state(status: str | None, sla_state: str | None, due_at: datetime | None, now: datetime) -> str:
    """The time-limit mark one work item shows, by overdue_condition's rule: its stored state, but an open
    step whose due time has gone reads as overdue though no breach timer marked it (an extension's review
    has a due time and no clock), and a withdrawn step (a boundary event or a message made it moot, e.g. an
    agency's 接警确认 once the agency acknowledged by message) reads WITHDRAWN_MARK whatever it was marked
    before it went: no limit runs on it any more, so it is neither overdue nor on time."""
    if status == WorkItemStatus.WITHDRAWN:
        return WITHDRAWN_MARK
    state = str(sla_state or SlaState.NONE)
    if (status == WorkItemStatus.OPEN and due_at is not None
            and state in (SlaState.NONE, SlaState.ON_TIME, SlaState.AT_RISK)):
        if due_at.tzinfo is None:
            due_at = due_at.replace(tzinfo=UTC)
        if due_at <= now:
            return str(SlaState.OVERDUE)
    return state


def _open_counts(now: datetime) -> list:  # type: ignore[type-arg]
    overdue = overdue_condition(now)
    paused = paused_condition()
    return [
        func.count().label("open"),
        func.sum(case((and_(WorkItem.sla_state == SlaState.AT_RISK, not_(overdue), not_(paused)), 1),
                      else_=0)).label("at_risk"),
        func.sum(case((overdue, 1), else_=0)).label("overdue"),
        func.sum(case((paused, 1), else_=0)).label("paused"),
    ]


def _closed_counts() -> list:  # type: ignore[type-arg]
    return [
        func.count().label("closed"),
        func.sum(case((WorkItem.sla_state.in_((SlaState.MET, SlaState.MET_LATE)), 1), else_=0)).label("with_limit"),
        func.sum(case((WorkItem.sla_state == SlaState.MET, 1), else_=0)).label("on_time"),
    ]


def _merge(open_rows: list, closed_rows: list, labels: dict | None = None) -> list[OverviewRow]:  # type: ignore[type-arg]
    figures: dict = {}  # type: ignore[type-arg]
    for key, n_open, at_risk, overdue, paused in open_rows:
        figures.setdefault(key, [0] * 7)[0:4] = [n_open, at_risk or 0, overdue or 0, paused or 0]
    for key, closed, with_limit, on_time in closed_rows:
        figures.setdefault(key, [0] * 7)[4:7] = [closed, with_limit or 0, on_time or 0]
    labels = labels or {}
    return [OverviewRow(key, labels.get(key), *map(int, f)) for key, f in
            sorted(figures.items(), key=lambda kv: (kv[0] is None, str(kv[0])))]


def department_overview(session: Session, now: datetime, period_start: datetime, period_end: datetime,
                        departments: list[str] | None = None) -> list[OverviewRow]:
    """Per department: open, at risk, overdue and paused work items now; items closed in
    [period_start, period_end) and how many of those with a limit met it (on-time closure rate).

    Reads ``work_items`` through ix_work_items_status_department (open) and
    ix_work_items_department_completed / ix_work_items_completed_at (closed in the period)."""
    open_q = (select(WorkItem.department, *_open_counts(now)).where(WorkItem.status == WorkItemStatus.OPEN)
              .group_by(WorkItem.department))
    closed_q = (select(WorkItem.department, *_closed_counts())
                .where(WorkItem.completed_at >= period_start, WorkItem.completed_at < period_end,
                       WorkItem.status == WorkItemStatus.COMPLETED)
                .group_by(WorkItem.department))
    if departments is not None:
        open_q = open_q.where(WorkItem.department.in_(departments))
        closed_q = closed_q.where(WorkItem.department.in_(departments))
    return _merge(session.execute(open_q).all(), session.execute(closed_q).all())


def step_overview(session: Session, now: datetime, period_start: datetime, period_end: datetime,
                  process_key: str | None = None, department: str | None = None) -> list[OverviewRow]:
    """Per step (process key, BPMN task id): the same figures as department_overview; ``label`` is the
    task's name. Reads work items alone (they carry their process key), bounded by the status and
    completed_at indexes, so the cost follows open and recent rows, not the history."""
    def bounded(query: Select) -> Select:  # type: ignore[type-arg]
        if process_key is not None:
            query = query.where(WorkItem.process_key == process_key)
        if department is not None:
            query = query.where(WorkItem.department == department)
        return query.group_by(WorkItem.process_key, WorkItem.task_spec)

    open_q = bounded(select(WorkItem.process_key, WorkItem.task_spec, func.max(WorkItem.task_name),
                            *_open_counts(now)).where(WorkItem.status == WorkItemStatus.OPEN))
    closed_q = bounded(select(WorkItem.process_key, WorkItem.task_spec, func.max(WorkItem.task_name),
                              *_closed_counts())
                       .where(WorkItem.completed_at >= period_start, WorkItem.completed_at < period_end,
                              WorkItem.status == WorkItemStatus.COMPLETED))
    labels: dict[tuple[str, str], str] = {}
    open_rows, closed_rows = [], []
    for p, t, name, *rest in session.execute(open_q).all():
        labels[(p, t)] = name
        open_rows.append(((p, t), *rest))
    for p, t, name, *rest in session.execute(closed_q).all():
        labels.setdefault((p, t), name)
        closed_rows.append(((p, t), *rest))
    return _merge(open_rows, closed_rows, labels)


def overdue_items(session: Session, now: datetime, *, department: str | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[OverdueRow], int]:
    """Open work items past their deadline (most overdue first) and the total count."""
    condition = overdue_condition(now)  # open steps only
    if department is not None:
        condition = and_(condition, WorkItem.department == department)
    total = session.scalar(select(func.count()).select_from(WorkItem).where(condition)) or 0
    rows = session.execute(
        select(WorkItem, Case.business_key).join(Case, Case.id == WorkItem.case_id).where(condition)
        .order_by(WorkItem.due_at, WorkItem.id).limit(max(1, min(limit, MAX_PAGE))).offset(offset)).all()
    return [OverdueRow(item.id, item.case_id, key, item.task_spec, item.task_name, item.department, item.assignee,
                       item.due_at, SlaState.OVERDUE, item.role) for item, key in rows], int(total)


def at_risk_items(session: Session, now: datetime, *, department: str | None = None,
                  limit: int = 50) -> list[WorkItem]:
    """Open items marked at risk and not yet overdue, soonest deadline first."""
    query = select(WorkItem).where(WorkItem.status == WorkItemStatus.OPEN, WorkItem.sla_state == SlaState.AT_RISK,
                                   not_(overdue_condition(now)), not_(paused_condition()))
    if department is not None:
        query = query.where(WorkItem.department == department)
    return list(session.scalars(query.order_by(WorkItem.due_at).limit(max(1, min(limit, MAX_PAGE)))))


def open_escalations(session: Session, *, role: str | None = None, department: str | None = None,
                     limit: int = 100) -> list[Escalation]:
    """Escalations not yet acknowledged, oldest first; filter by target role and department."""
    query = select(Escalation).where(Escalation.status == EscalationStatus.OPEN)
    if role is not None:
        query = query.where(Escalation.target_role == role)
    if department is not None:
        query = query.where(Escalation.department == department)
    return list(session.scalars(query.order_by(Escalation.id).limit(max(1, min(limit, MAX_PAGE)))))


def urging_counts(session: Session, period_start: datetime, period_end: datetime) -> dict[str | None, int]:
    """督办 count per department in [period_start, period_end) — a KPI of the evaluation step."""
    rows = session.execute(select(Urging.department, func.count()).where(
        Urging.at >= period_start, Urging.at < period_end).group_by(Urging.department)).all()
    return {dept: int(n) for dept, n in rows}
