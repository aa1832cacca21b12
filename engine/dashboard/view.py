"""Everything the dashboard page shows, read in one transaction: figures, lists and what awaits a decision."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.dashboard.case_kpis import CaseFigures, case_figures
from engine.dashboard.scope import departments_in_scope
from engine.dashboard.trend import DayFigures, daily_trend
from engine.incidents.access import may_view
from engine.incidents.service import IncidentRow, count_open, list_incidents
from engine.org.abilities import Ability
from engine.org.access import Actor, candidate_among, could_work_unclaimed, visible_cases_among
from engine.org.service import display_names, roles_that_may, unit_names
from engine.sla.process_owned import handled_by_process, review_task
from engine.sla.queries import (
    OverdueRow,
    OverviewRow,
    department_overview,
    overdue_items,
    step_overview,
    urging_counts,
)
from engine.store.models.cases import Case
from engine.store.models.incidents import IncidentStatus
from engine.store.models.sla import SlaExtension, Urging
from engine.store.models.tasks import WorkItem
from engine.store.statuses import ExtensionStatus, WorkItemStatus

LIST_LIMIT = 50
INCIDENT_LIMIT = 10  # the newest; the operator page (/incidents) has them all


@dataclass(frozen=True)
class PendingExtension:
    """A pending request; one asked through the process's own form is decided in its review step
    (`review`, None until the process reaches it), never from the dashboard's buttons."""

    extension: SlaExtension
    business_key: str
    task_name: str | None
    in_process: bool = False
    review: WorkItem | None = None
    review_step: str | None = None


@dataclass(frozen=True)
class DecisionTask:
    """An open task in a deciding lane (争议裁定 arbitrate, 延期审批 review_extension, ...): the lane of a
    role that may decide_extensions (its `may` in rules/organisation.yaml)."""

    item: WorkItem
    business_key: str
    title: str
    # Whether the viewer is among those who may take the step (its lane's role): who only watches it
    # (a department head, whoever oversees every lane) is told who decides, not offered a button.
    workable: bool = True


@dataclass(frozen=True)
class UrgedRow:
    urging: Urging
    business_key: str


@dataclass(frozen=True)
class Dashboard:
    since: datetime
    until: datetime
    departments: list[OverviewRow]
    steps: list[OverviewRow]
    overdue: list[OverdueRow]
    overdue_total: int
    pending_extensions: list[PendingExtension]
    decision_tasks: list[DecisionTask]
    recent_urgings: list[UrgedRow]
    urgings_by_department: dict[str | None, int]
    trend: list[DayFigures]
    department_names: dict[str, tuple[str, str]]
    # username -> display name for the assignees, requesters and urgers the lists name.
    people: dict[str, str] = field(default_factory=dict)
    # Open incidents (cases that cannot move) for those who work or watch them; None: not shown.
    incidents_open: int | None = None
    incidents: list[IncidentRow] = field(default_factory=list)
    # Cases (not steps) completed in the period, in the actor's departments, and how many on time.
    cases: CaseFigures = CaseFigures(0, 0, 0)
    # The listed cases the actor may open (a task opens with its case): a read-only overseer such as the
    # command centre watches every department but opens only the cases its `sees` reaches, and a list
    # never links a page that would answer 404.
    openable_cases: frozenset[int] = frozenset()

    def opens(self, case_id: int) -> bool:
        return case_id in self.openable_cases

    def person(self, username: str | None) -> str:
        return self.people.get(username or "", username or "")

    @property
    def totals(self) -> dict[str, float | int | None]:
        """The headline counts cases (engine.dashboard.case_kpis); the step figures stay in the tables."""
        rows = self.departments
        steps_with_limit = sum(r.closed_with_limit for r in rows)
        steps_on_time = sum(r.closed_on_time for r in rows)
        return {"open": sum(r.open for r in rows), "at_risk": sum(r.at_risk for r in rows),
                "overdue": sum(r.overdue for r in rows), "closed": self.cases.closed,
                "on_time_rate": self.cases.on_time_rate,
                "steps_closed": sum(r.closed for r in rows),
                "steps_on_time_rate": steps_on_time / steps_with_limit if steps_with_limit else None}


def _pending_extensions(session: Session, actor: Actor, departments: list[str] | None) -> list[PendingExtension]:
    query = (select(SlaExtension, Case.business_key, WorkItem.task_name)
             .join(Case, Case.id == SlaExtension.case_id)
             .outerjoin(WorkItem, WorkItem.id == SlaExtension.work_item_id)
             .where(SlaExtension.status == ExtensionStatus.PENDING))
    if departments is not None:
        query = query.where(SlaExtension.department.in_(departments))
    rows = session.execute(query.order_by(SlaExtension.requested_at).limit(LIST_LIMIT)).all()
    pending = []
    for ext, key, name in rows:
        in_process = handled_by_process(session, ext)
        review = review_task(session, ext) if in_process else None
        # Linked only for those who may take the step; the others (a department head told of the request,
        # who sees the step but may not decide it) see in which step it is decided.
        shown = review if review is not None and could_work_unclaimed(session, actor, review.id) else None
        pending.append(PendingExtension(ext, key, name, in_process, shown,
                                        review.task_name if review is not None else None))
    return pending


def _decision_tasks(session: Session, actor: Actor, departments: list[str] | None) -> list[DecisionTask]:
    """Decision steps in the deciding lanes the actor holds; in every deciding lane for those who may
    oversee_every_lane. The lanes are the roles that may decide_extensions, never role names in code."""
    deciding = roles_that_may(session, Ability.DECIDE_EXTENSIONS)
    roles = sorted(deciding if actor.may(Ability.OVERSEE_EVERY_LANE) else deciding & actor.role_codes)
    if not roles:
        return []
    query = (select(WorkItem, Case.business_key, Case.title).join(Case, Case.id == WorkItem.case_id)
             .where(WorkItem.status == WorkItemStatus.OPEN, WorkItem.role.in_(roles)))
    if departments is not None:
        query = query.where(WorkItem.department.in_(departments) | WorkItem.department.is_(None))
    rows = session.execute(query.order_by(WorkItem.created_at).limit(LIST_LIMIT)).all()
    candidate = candidate_among(session, actor, [item.id for item, _key, _title in rows])
    return [DecisionTask(item, key, title, item.id in candidate) for item, key, title in rows]


def _recent_urgings(session: Session, since: datetime, departments: list[str] | None) -> list[UrgedRow]:
    query = select(Urging, Case.business_key).join(Case, Case.id == Urging.case_id).where(Urging.at >= since)
    if departments is not None:
        query = query.where(Urging.department.in_(departments))
    rows = session.execute(query.order_by(Urging.at.desc()).limit(LIST_LIMIT)).all()
    return [UrgedRow(urging, key) for urging, key in rows]


def dashboard(session: Session, actor: Actor, now: datetime, since: datetime, until: datetime,
              tz: tzinfo, process_key: str | None = None, lang: str = "zh") -> Dashboard:
    """The dashboard for `actor`'s departments (all for supervisors); figures closed in [since, until)."""
    departments = departments_in_scope(actor)
    each: list[str | None] = list(departments) if departments is not None else [None]  # None: all at once
    steps: list[OverviewRow] = []
    for department in each:
        steps += step_overview(session, now, since, until, process_key=process_key, department=department)
    overdue: list[OverdueRow] = []
    overdue_total = 0
    for department in each:
        rows, total = overdue_items(session, now, department=department, limit=LIST_LIMIT)
        overdue += rows
        overdue_total += total
    urgings = urging_counts(session, since, until)
    if departments is not None:
        urgings = {d: n for d, n in urgings.items() if d in departments}
    names = {code: (zh, en or zh) for code, (zh, en) in unit_names(session).items()}
    pending = _pending_extensions(session, actor, departments)
    decisions = _decision_tasks(session, actor, departments)
    recent = _recent_urgings(session, since, departments)
    incidents_open: int | None = None
    incidents: list[IncidentRow] = []
    if may_view(actor):
        incidents_open = count_open(session)
        incidents, _total = list_incidents(session, status=IncidentStatus.OPEN, blocking=True, limit=INCIDENT_LIMIT)
    listed = [*(r.case_id for r in overdue), *(p.extension.case_id for p in pending),
              *(d.item.case_id for d in decisions), *(u.urging.case_id for u in recent)]
    named = [*(r.assignee for r in overdue), *(p.extension.requested_by for p in pending),
             *(d.item.assignee for d in decisions), *(u.urging.urged_by for u in recent)]
    return Dashboard(
        since=since, until=until,
        departments=department_overview(session, now, since, until, departments=departments),
        steps=steps, overdue=overdue, overdue_total=overdue_total,
        pending_extensions=pending, decision_tasks=decisions, recent_urgings=recent,
        urgings_by_department=urgings,
        trend=daily_trend(session, since, until, tz, departments),
        department_names=names,
        people=display_names(session, named, lang),
        incidents_open=incidents_open,
        incidents=incidents,
        cases=case_figures(session, since, until, departments),
        openable_cases=frozenset(visible_cases_among(session, actor, listed)),
    )
