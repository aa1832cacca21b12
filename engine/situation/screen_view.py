"""What the operations-centre screen (一屏) shows, read in one transaction: today's cases by family and
source, open and overdue steps by department, emergencies in progress with their grade and agencies,
the case map, the week's trend and the latest escalations.

Figures cover the departments the actor oversees (as the dashboard's do); the map and the emergency
list show the cases the actor may see. Every list is bounded; today's cases are grouped in the
database through the opened_at index, never loaded one by one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.cases.access import CaseFilter, case_query
from engine.dashboard.scope import departments_in_scope
from engine.dashboard.trend import DayFigures, daily_trend
from engine.org.access import Actor
from engine.situation.map_view import MapFilter, MapView, map_view
from engine.sla.queries import OverviewRow, department_overview
from engine.store.models.cases import Case
from engine.store.models.sla import Escalation
from engine.store.statuses import CaseStatus

EMERGENCY_FAMILY = "emergency"
MAX_EMERGENCIES = 8
MAX_ESCALATIONS = 8
SCREEN_POINTS = 500
TREND_DAYS = 7
# Where a case came from: the first of these data keys it carries (a social event's report channel).
SOURCE_KEYS = ("report_channel", "source", "channel")


@dataclass(frozen=True)
class TodayRow:
    family: str | None
    source: str | None
    count: int


@dataclass(frozen=True)
class Agency:
    code: str
    department: str | None
    status: str


@dataclass(frozen=True)
class Emergency:
    case_id: int
    business_key: str
    title: str
    grade: int | None
    grid_cell: str | None
    opened_at: datetime
    agencies: list[Agency]


@dataclass(frozen=True)
class EscalationRow:
    id: int
    case_id: int
    business_key: str
    task_name: str | None
    department: str | None
    reason: str
    target_role: str
    created_at: datetime


@dataclass(frozen=True)
class Screen:
    now: datetime
    today: list[TodayRow]
    departments: list[OverviewRow]
    emergencies: list[Emergency]
    map: MapView
    trend: list[DayFigures]
    escalations: list[EscalationRow]
    open_cases: int
    closed_today: int

    @property
    def today_total(self) -> int:
        return sum(row.count for row in self.today)

    @property
    def open_steps(self) -> int:
        return sum(row.open for row in self.departments)

    @property
    def overdue_steps(self) -> int:
        return sum(row.overdue for row in self.departments)


def local_midnight(now: datetime, tz: tzinfo) -> datetime:
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _in_departments(query: Any, departments: list[str] | None) -> Any:
    return query if departments is None else query.where(Case.department.in_(departments))


def cases_today(session: Session, since: datetime, departments: list[str] | None) -> list[TodayRow]:
    sources = [Case.data[key].as_string() for key in SOURCE_KEYS]
    source = func.coalesce(*sources)
    query = _in_departments(select(Case.family, source, func.count()).where(Case.opened_at >= since), departments)
    rows = session.execute(query.group_by(Case.family, source)).all()
    return sorted((TodayRow(family, src, int(n)) for family, src, n in rows),
                  key=lambda r: (-r.count, r.family or "", r.source or ""))


def _grade(value: Any) -> int | None:
    try:
        grade = int(value)
    except (TypeError, ValueError):
        return None
    return grade if 1 <= grade <= 4 else None


def emergencies(session: Session, actor: Actor, limit: int = MAX_EMERGENCIES) -> list[Emergency]:
    """Emergencies in progress the actor may see, most serious grade first, then newest."""
    rows = session.scalars(case_query(actor, CaseFilter(status=CaseStatus.RUNNING, family=EMERGENCY_FAMILY))
                           .order_by(Case.priority, Case.opened_at.desc()).limit(limit)).all()
    out = []
    for c in rows:
        data = c.data or {}
        agencies = data.get("agencies") if isinstance(data.get("agencies"), dict) else {}
        listed = [Agency(str(code), state.get("department") if isinstance(state, dict) else None,
                         str(state.get("status", "")) if isinstance(state, dict) else "")
                  for code, state in sorted(agencies.items())]
        out.append(Emergency(c.id, c.business_key, c.title, _grade(data.get("grade")), c.grid_cell, c.opened_at,
                             listed))
    return sorted(out, key=lambda e: (e.grade or 5, -e.opened_at.timestamp()))


def latest_escalations(session: Session, departments: list[str] | None,
                       limit: int = MAX_ESCALATIONS) -> list[EscalationRow]:
    query = select(Escalation, Case.business_key).join(Case, Case.id == Escalation.case_id)
    if departments is not None:
        query = query.where(Escalation.department.in_(departments))
    rows = session.execute(query.order_by(Escalation.id.desc()).limit(limit)).all()
    return [EscalationRow(e.id, e.case_id, key, e.task_name, e.department, e.reason, e.target_role, e.created_at)
            for e, key in rows]


def screen_view(session: Session, actor: Actor, now: datetime, tz: tzinfo) -> Screen:
    """Everything on the wall screen; Forbidden (supervision.no_department) for one who oversees nothing."""
    departments = departments_in_scope(actor)
    midnight = local_midnight(now, tz)
    week_start = midnight - timedelta(days=TREND_DAYS - 1)
    open_q = _in_departments(select(func.count()).select_from(Case).where(Case.status == CaseStatus.RUNNING),
                             departments)
    closed_q = _in_departments(select(func.count()).select_from(Case).where(Case.closed_at >= midnight,
                                                                           Case.status == CaseStatus.COMPLETED),
                               departments)
    return Screen(
        now=now,
        today=cases_today(session, midnight, departments),
        departments=department_overview(session, now, midnight, now, departments=departments),
        emergencies=emergencies(session, actor),
        map=map_view(session, actor, MapFilter(), now, limit=SCREEN_POINTS),
        trend=daily_trend(session, week_start, now, tz, departments),
        escalations=latest_escalations(session, departments),
        open_cases=int(session.scalar(open_q) or 0),
        closed_today=int(session.scalar(closed_q) or 0),
    )
