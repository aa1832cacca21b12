"""What the case map shows: open cases as points coloured by their time-limit state, grid cells with
their open and overdue counts, and the hot spots the event rules opened (rules/events/hot_spot.json).
A case whose limits stand still (暂停计时, engine.sla.case_marks) is paused, never overdue by the deadline
its row keeps from before the pause.

Everything is read from the projections, for the cases the actor may see (the one access
specification: a point never links a case page that would answer 404), newest first and at most
MAX_POINTS of them; the cell counts are grouped in the database, one row per cell. A case whose data
gives no point is drawn at a point inside its grid cell (`exact` is False). A box (`bbox`) narrows the
points to those inside it through the (status, geohash) index: a few prefix ranges, no PostGIS.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.cases.access import CaseFilter, case_query
from engine.cases.territory import grid_cell_index
from engine.errors import InvalidInput
from engine.geo.geohash import covering, prefix_end
from engine.geo.shapes import CellIndex
from engine.org.access import Actor
from engine.sla.case_marks import PauseMark, open_pauses, paused_cases
from engine.sla.queries import overdue_condition
from engine.store.like import has_prefix
from engine.store.models.cases import Case
from engine.store.models.org import OrgUnit
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, SlaState, WorkItemStatus

MAX_POINTS = 1000
MAX_HOT_SPOTS = 100
HOT_SPOT_FAMILY = "hot_spot"
# A case's time-limit state on the map, worst first; a paused case's limits do not run at all.
OVERDUE, AT_RISK, ON_TIME, PAUSED = "overdue", "at_risk", "on_time", "paused"


@dataclass(frozen=True)
class MapFilter:
    family: str | None = None
    category: str | None = None  # a subcategory code, or a two-digit class code
    department: str | None = None
    opened_from: datetime | None = None
    opened_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north


@dataclass(frozen=True)
class CasePoint:
    case_id: int
    business_key: str
    title: str
    family: str | None
    category: str | None
    department: str | None
    grid_cell: str | None
    longitude: float
    latitude: float
    exact: bool  # the case's own point; False: drawn inside its grid cell
    sla: str
    opened_at: datetime
    pause: PauseMark | None = None  # PAUSED: since when and why (the case page's mark)


@dataclass(frozen=True)
class CellFigures:
    code: str
    open: int
    overdue: int


@dataclass(frozen=True)
class HotSpot:
    case_id: int
    business_key: str
    title: str
    grid_cell: str | None
    longitude: float
    latitude: float
    reports: int
    opened_at: datetime


@dataclass(frozen=True)
class MapView:
    points: list[CasePoint]
    total: int  # open cases matching the filter (the points are the newest MAX_POINTS of them)
    unplaced: int  # listed cases with neither a point nor a drawn grid cell
    cells: list[CellFigures]
    hot_spots: list[HotSpot]
    legend: dict[str, int] = field(default_factory=dict)  # sla state -> points

    @property
    def truncated(self) -> bool:
        return self.total > len(self.points) + self.unplaced


def _check(flt: MapFilter) -> None:
    errors: dict[str, list[str]] = {}
    if flt.opened_from and flt.opened_to and flt.opened_to <= flt.opened_from:
        errors["opened_to"] = ["must be after opened_from"]
    if flt.bbox is not None:
        west, south, east, north = flt.bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            errors["bbox"] = ["west,south,east,north in degrees, west < east and south < north"]
    if errors:
        raise InvalidInput("invalid map filter", errors, key="map.invalid_filter")


def open_cases(actor: Actor, flt: MapFilter) -> Select[tuple[Case]]:
    """The running cases the actor may see that match the filter (no order, no limit)."""
    is_class = bool(flt.category) and len(flt.category or "") == 2
    query = case_query(actor, CaseFilter(status=CaseStatus.RUNNING, family=flt.family, department=flt.department,
                                         category=None if is_class else flt.category,
                                         opened_from=flt.opened_from, opened_to=flt.opened_to))
    if is_class:
        query = query.where(has_prefix(Case.category, flt.category or ""))
    return query


def _in_box(query: Select[Any], bbox: tuple[float, float, float, float]) -> Select[Any]:
    west, south, east, north = bbox
    prefixes = covering(south, west, north, east)
    ranges = [and_(Case.geohash >= prefix, Case.geohash < prefix_end(prefix)) for prefix in prefixes]
    return query.where(or_(*ranges), Case.latitude.between(south, north), Case.longitude.between(west, east))


def sla_states(session: Session, cases: list[Case], now: datetime,
               pauses: dict[int, PauseMark] | None = None) -> dict[int, str]:
    """Each case's time-limit state: paused while its limits stand still (`pauses`, engine.sla.case_marks;
    read here when not given), else its worst open step: overdue (or the case past its own due date), at
    risk, else on time."""
    ids = [c.id for c in cases]
    if pauses is None:
        pauses = open_pauses(session, ids)
    worst: dict[int, int] = {}
    if ids:
        rank = func.max(case((overdue_condition(now), 2), (WorkItem.sla_state == SlaState.AT_RISK, 1), else_=0))
        rows = session.execute(select(WorkItem.case_id, rank).where(
            WorkItem.case_id.in_(ids), WorkItem.status == WorkItemStatus.OPEN).group_by(WorkItem.case_id))
        worst = {case_id: int(value or 0) for case_id, value in rows}
    out = {}
    for c in cases:
        if c.id in pauses:
            out[c.id] = PAUSED
            continue
        due = c.due_at is not None and c.due_at <= now
        out[c.id] = OVERDUE if due or worst.get(c.id) == 2 else AT_RISK if worst.get(c.id) == 1 else ON_TIME
    return out


def _placed(c: Case, cells: CellIndex) -> tuple[float, float, bool] | None:
    if c.longitude is not None and c.latitude is not None:
        return c.longitude, c.latitude, True
    anchor = cells.anchor(c.grid_cell, c.id) if c.grid_cell else None
    return (anchor[0], anchor[1], False) if anchor else None


def cell_figures(session: Session, actor: Actor, flt: MapFilter, now: datetime) -> list[CellFigures]:
    """Open and overdue cases per grid cell, grouped in the database (one row per cell)."""
    visible = open_cases(actor, flt).where(Case.grid_cell.is_not(None)).subquery()
    opened = dict(session.execute(select(visible.c.grid_cell, func.count()).group_by(visible.c.grid_cell)).all())
    late_ids = select(WorkItem.case_id).where(overdue_condition(now))  # open steps only, as the condition says
    # A paused case is not late, whatever the deadline its row kept from before the pause (as the points).
    overdue = dict(session.execute(
        select(visible.c.grid_cell, func.count()).where(or_(visible.c.id.in_(late_ids),
                                                            and_(visible.c.due_at.is_not(None), visible.c.due_at <= now)),
                                                        visible.c.id.not_in(paused_cases()))
        .group_by(visible.c.grid_cell)).all())
    return [CellFigures(code, int(n), int(overdue.get(code, 0))) for code, n in sorted(opened.items())]


def hot_spots(session: Session, actor: Actor, cells: CellIndex, limit: int = MAX_HOT_SPOTS) -> list[HotSpot]:
    """Running hot-spot cases (opened by the hot_spot event rules), drawn in their grid cell."""
    rows = session.scalars(open_cases(actor, MapFilter(family=HOT_SPOT_FAMILY))
                           .order_by(Case.opened_at.desc()).limit(limit)).all()
    out = []
    for c in rows:
        placed = _placed(c, cells)
        if placed is None:
            continue
        try:
            reports = int((c.data or {}).get("report_count") or 0)
        except (TypeError, ValueError):
            reports = 0
        out.append(HotSpot(c.id, c.business_key, c.title, c.grid_cell, placed[0], placed[1], reports, c.opened_at))
    return out


def map_view(session: Session, actor: Actor, flt: MapFilter, now: datetime, limit: int = MAX_POINTS) -> MapView:
    _check(flt)
    cells = grid_cell_index(session)
    query = open_cases(actor, flt)
    if flt.family is None:
        query = query.where(or_(Case.family.is_(None), Case.family != HOT_SPOT_FAMILY))  # drawn as hot spots
    if flt.bbox is not None:
        query = _in_box(query, flt.bbox)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(Case.opened_at.desc(), Case.id.desc()).limit(max(1, min(limit, MAX_POINTS)))))
    pauses = open_pauses(session, (c.id for c in rows))
    states = sla_states(session, rows, now, pauses)
    points, unplaced = [], 0
    legend = {OVERDUE: 0, AT_RISK: 0, ON_TIME: 0, PAUSED: 0}
    for c in rows:
        placed = _placed(c, cells)
        if placed is None:
            unplaced += 1
            continue
        legend[states[c.id]] += 1
        points.append(CasePoint(c.id, c.business_key, c.title, c.family, c.category, c.department, c.grid_cell,
                                placed[0], placed[1], placed[2], states[c.id], c.opened_at, pauses.get(c.id)))
    return MapView(points, int(total), unplaced, cell_figures(session, actor, flt, now),
                   hot_spots(session, actor, cells) if flt.family in (None, HOT_SPOT_FAMILY) else [], legend)


@dataclass(frozen=True)
class Outline:
    code: str
    kind: str
    parent: str | None
    name_zh: str
    name_en: str
    geometry: dict[str, Any]


def district_outlines(session: Session) -> list[Outline]:
    """The streets', communities' and grid cells' outlines (the base map; the table is small)."""
    rows = session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("street", "community", "grid_cell")),
                                                 OrgUnit.geometry.is_not(None)).order_by(OrgUnit.code))
    # An organisation reloaded without its geometry file stores JSON null, which IS NOT NULL lets through.
    return [Outline(u.code, u.kind, u.parent_code, u.name_zh, u.name_en, dict(u.geometry)) for u in rows if u.geometry]
