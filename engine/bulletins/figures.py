"""A bulletin's figures for one period, per unit (department or street) and for the whole district.

Each measure has one definition, and those the dashboard also shows are read through the dashboard's
own queries, so the two cannot disagree for the same period:

* received — cases opened in the period (as the dashboard's trend counts ``opened``), by the case's unit;
* closed, on_time_rate — cases completed in the period and the share of those with a limit that closed on
  time (engine.dashboard.case_kpis: a case, not its steps, is on time or late);
* overdue, overdue_days — work items overdue at the end of the period (still open then and past their due
  time; paused ones are not overdue) and the working days they were late by then, summed; for a period
  ending now this is the dashboard's open-overdue count;
* urges — 督办 received in the period (engine.sla.queries.urging_counts, by the urged step's department);
* returns, reworks, satisfaction — read from the cases completed in the period: each entry of their return
  log counts for the department that returned it (退回), each failed verification (返工) and the call-back
  satisfaction (回访评价) for the case's unit. Satisfaction is (satisfied + basically satisfied) / answered;
  unreachable citizens do not count.

Every query is bounded by the period through an index (cases.closed_at, cases.opened_at,
work_items.completed_at, work_items (status, due_at), sla_urgings (department, at)), never by the history.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.dashboard.case_kpis import case_figures_by
from engine.reporting.definition import BulletinDefinition
from engine.sla.calendar_store import calendar_for
from engine.sla.queries import overdue_condition, urging_counts
from engine.store.models.cases import Case
from engine.store.models.org import OrgUnit
from engine.store.models.sla import Urging
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, SlaState, WorkItemStatus

# The case variables the social-event process keeps (processes/social_event.bpmn, forms/se_evaluate.json).
RETURN_LOG = "return_log"
RETURN_COUNT = "return_count"
REWORK_COUNT = "rework_count"
SATISFACTION = "satisfaction"
SATISFIED = ("satisfied", "basically_satisfied")
ANSWERED = (*SATISFIED, "dissatisfied")
COUNTS = ("received", "closed", "closed_with_limit", "closed_on_time", "overdue", "returns", "reworks", "urges",
          "satisfied", "answered")


@dataclass
class UnitFigures:
    received: int = 0
    closed: int = 0
    closed_with_limit: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    overdue_days: float = 0.0
    returns: int = 0
    reworks: int = 0
    urges: int = 0
    satisfied: int = 0
    answered: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed_with_limit if self.closed_with_limit else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    def add(self, other: UnitFigures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.overdue_days = round(self.overdue_days + other.overdue_days, 1)

    def as_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: getattr(self, name) for name in COUNTS}
        values.update(overdue_days=round(self.overdue_days, 1), on_time_rate=self.on_time_rate,
                      satisfaction=self.satisfaction)
        return values


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _received(session: Session, since: datetime, until: datetime, by: str) -> dict[str | None, int]:
    column = Case.department if by == "department" else Case.street
    rows = session.execute(select(column, func.count()).where(Case.opened_at >= since, Case.opened_at < until)
                           .group_by(column)).all()
    return {unit: int(n) for unit, n in rows}


def _urges(session: Session, since: datetime, until: datetime, by: str) -> dict[str | None, int]:
    if by == "department":
        return urging_counts(session, since, until)
    rows = session.execute(select(Case.street, func.count()).select_from(Urging).join(Case, Case.id == Urging.case_id)
                           .where(Urging.at >= since, Urging.at < until).group_by(Case.street)).all()
    return {unit: int(n) for unit, n in rows}


def _overdue(session: Session, until: datetime, now: datetime, by: str) -> dict[str | None, tuple[int, float]]:
    """Work items overdue at `until` (or now, for a period not yet over): count and working days late."""
    at = min(until, now)
    still_open = and_(WorkItem.status == WorkItemStatus.OPEN,
                      overdue_condition(now) if until >= now else
                      and_(WorkItem.sla_state != SlaState.PAUSED, WorkItem.due_at < until))
    # Items closed after the period ended were still open at its end; those due before it were overdue then.
    closed_later = and_(WorkItem.completed_at >= until, WorkItem.status == WorkItemStatus.COMPLETED,
                        WorkItem.due_at < until)
    column = WorkItem.department if by == "department" else Case.street
    query = select(column, WorkItem.due_at).select_from(WorkItem)
    if by != "department":
        query = query.join(Case, Case.id == WorkItem.case_id)
    conditions = [still_open] if until >= now else [still_open, closed_later]
    calendar = calendar_for(session)
    found: dict[str | None, list[float]] = defaultdict(lambda: [0, 0.0])
    for unit, due_at in session.execute(query.where(or_(*conditions))):
        row = found[unit]
        row[0] += 1
        if due_at is not None and _utc(due_at) < at:
            row[1] += calendar.working_between(_utc(due_at), at, "working_days")
    return {unit: (int(n), round(days, 1)) for unit, (n, days) in found.items()}


def _closed_case_data(session: Session, since: datetime, until: datetime, by: str) -> dict[str | None, list[int]]:
    """unit -> [returns, reworks, satisfied, answered] from the data of the cases completed in the period."""
    found: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = session.execute(select(Case.department, Case.street, Case.data).where(
        Case.closed_at >= since, Case.closed_at < until, Case.status == CaseStatus.COMPLETED))
    for department, street, data in rows:
        unit = department if by == "department" else street
        data = data or {}
        log = data.get(RETURN_LOG)
        if by == "department" and isinstance(log, list):
            for entry in log:
                returned_by = entry.get("department") if isinstance(entry, dict) else None
                found[returned_by or unit][0] += 1
        elif isinstance(data.get(RETURN_COUNT), int):
            found[unit][0] += data[RETURN_COUNT]
        if isinstance(data.get(REWORK_COUNT), int):
            found[unit][1] += data[REWORK_COUNT]
        answer = data.get(SATISFACTION)
        if answer in ANSWERED:
            found[unit][3] += 1
            found[unit][2] += answer in SATISFIED
    return found


def unit_figures(session: Session, since: datetime, until: datetime, now: datetime,
                 by: str = "department") -> dict[str | None, UnitFigures]:
    """Figures for every unit (department or street code; None: cases not routed / outside a street) with any."""
    units: dict[str | None, UnitFigures] = defaultdict(UnitFigures)
    for unit, n in _received(session, since, until, by).items():
        units[unit].received = n
    for unit, figures in case_figures_by(session, since, until, by).items():
        row = units[unit]
        row.closed, row.closed_with_limit, row.closed_on_time = (
            figures.closed, figures.closed_with_limit, figures.closed_on_time)
    for unit, (n, days) in _overdue(session, until, now, by).items():
        units[unit].overdue, units[unit].overdue_days = n, days
    for unit, n in _urges(session, since, until, by).items():
        units[unit].urges = n
    for unit, (returns, reworks, satisfied, answered) in _closed_case_data(session, since, until, by).items():
        row = units[unit]
        row.returns, row.reworks, row.satisfied, row.answered = returns, reworks, satisfied, answered
    return dict(units)


def _names(session: Session) -> dict[str, tuple[str, str]]:
    return {code: (zh, en or zh) for code, zh, en in session.execute(
        select(OrgUnit.code, OrgUnit.name_zh, OrgUnit.name_en))}


def _rows_of(session: Session, definition: BulletinDefinition, units: dict[str | None, UnitFigures]) -> list[str | None]:
    if definition.scope == "department":
        if definition.departments:
            return list(definition.departments)
        return sorted((u for u in units if u is not None), key=str) + ([None] if None in units else [])
    streets = list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "street").order_by(OrgUnit.code)))
    return streets + [u for u in sorted((u for u in units if u not in streets and u is not None), key=str)] + \
        ([None] if None in units else [])


def _rank(rows: list[dict[str, Any]], definition: BulletinDefinition) -> None:
    measure = definition.rank_by
    for row in rows:
        row["rank"] = None
    if measure is None:
        return
    eligible = [r for r in rows if r["closed"] >= definition.min_closed and r[measure] is not None]
    eligible.sort(key=lambda r: r[measure], reverse=definition.order == "desc")
    previous, rank = None, 0
    for position, row in enumerate(eligible, start=1):
        if row[measure] != previous:
            rank, previous = position, row[measure]
        row["rank"] = rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))


def _lists(rows: list[dict[str, Any]], definition: BulletinDefinition) -> None:
    for row in rows:
        row["list"], row["reasons"] = None, []
        black = definition.black_list.met_by(row) if definition.black_list else []
        red = definition.red_list.met_by(row) if definition.red_list else []
        if black:
            row["list"] = "black"
            row["reasons"] = [[c.measure, c.comparator, c.value] for c in black]
        elif red:
            row["list"] = "red"
            row["reasons"] = [[c.measure, c.comparator, c.value] for c in red]


def bulletin_figures(session: Session, definition: BulletinDefinition, since: datetime, until: datetime,
                     now: datetime) -> dict[str, Any]:
    """What a bulletin stores: the rows (named, ranked, 红榜/黑榜 marked) and the district total."""
    by = "street" if definition.scope == "street" else "department"
    units = unit_figures(session, since, until, now, by)
    total = UnitFigures()
    for figures in units.values():
        total.add(figures)
    names = _names(session)
    rows: list[dict[str, Any]] = []
    if definition.scope != "district":
        for code in _rows_of(session, definition, units):
            zh, en = names.get(code, (code, code)) if code is not None else (
                ("未分派", "Not routed") if by == "department" else ("未定位街道", "No street"))
            rows.append({"unit": code, "name_zh": zh, "name_en": en, **units.get(code, UnitFigures()).as_dict()})
        _rank(rows, definition)
    else:
        rows.append({"unit": None, "name_zh": "全区", "name_en": "District", **total.as_dict(), "rank": None})
    _lists(rows, definition)
    return {"definition": definition.name, "scope": definition.scope, "measures": list(definition.measures),
            "rank_by": definition.rank_by, "order": definition.order, "min_closed": definition.min_closed,
            "since": since.isoformat(), "until": until.isoformat(), "read_at": now.isoformat(),
            "rows": rows, "total": total.as_dict()}
