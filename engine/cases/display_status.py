"""What a case is waiting for, in the words its people use: 待立案, 处置中 (部门), 等待应急联动, …

``cases.status`` says only running, completed or cancelled. A running case can wait for the dispatcher
to register a report, for a department to act, for the emergency case it raised, for a reminder due in
five years, or for an operator (an incident); a person reading "办理中" with a blank step learns none of
that. The display status is derived from the projections (the case row, its open work items, pending
timers and links; open incidents are counted on the case row) and never from the workflow state.

A list asks for a page of cases at once: :func:`display_statuses` reads the facts of every case on the
page in one query, whatever the page size.

Which step means "not registered yet" is configuration, not code: a user task with the property
``caseStatus`` = ``awaiting_registration`` (docs/bpmn-conventions.md) makes a case whose open work is
only that task read 待立案.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import String, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session, aliased

from engine.definitions.versions import runtime_for
from engine.runtime.parsing import spiff_properties
from engine.store.models.cases import Case, CaseLink
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import CaseStatus, TimerStatus, WorkItemStatus

CASE_STATUS_PROPERTY = "caseStatus"


class DisplayStatus(StrEnum):
    AWAITING_REGISTRATION = "awaiting_registration"  # 待立案: a report nobody has registered yet
    IN_HANDLING = "in_handling"  # 处置中: open steps, offered to `units`
    AWAITING_LINKED_CASE = "awaiting_linked_case"  # 等待应急联动: waits for the case it raised
    AWAITING_TIMER = "awaiting_timer"  # 等待到期提醒: waits only for a time to come (`until`)
    INCIDENT = "incident"  # 有异常: cannot move until an operator acts
    IN_PROGRESS = "in_progress"  # 办理中: running, waiting on none of the above (a message, say)
    COMPLETED = "completed"  # 已办结
    CANCELLED = "cancelled"  # 已撤销


@dataclass(frozen=True)
class CaseDisplay:
    status: DisplayStatus
    # IN_HANDLING: the departments (or, for steps offered to a grid cell, the grid cells) the open steps
    # are offered to, in the order the steps opened; the case's department when the steps name none.
    units: tuple[str, ...] = ()
    # AWAITING_LINKED_CASE: the running case it waits for.
    linked_case: str | None = None
    linked_family: str | None = None
    # AWAITING_TIMER: when the earliest timer it waits on comes due.
    until: datetime | None = None


@dataclass
class _Facts:
    items: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # task spec, department, grid cell
    links: list[tuple[str, str | None]] = field(default_factory=list)  # business key, family
    timers: list[datetime] = field(default_factory=list)


def _facts_query():  # type: ignore[no-untyped-def]
    """Open items, pending timers and running linked cases of the cases `case_ids`, as one UNION ALL.

    Built once (_FACTS): every case list and every API answer about a case asks it, and building this
    statement cost several times what running it does."""
    case_ids = bindparam("case_ids", expanding=True)
    text = String(200)
    instant = Timer.due_at.type  # the store's UTC datetime type: a union of plain DateTime would lose the zone
    other = aliased(Case)
    items = (select(WorkItem.case_id.label("case_id"), literal("item", String(10)).label("fact"),
                    cast(WorkItem.task_spec, text).label("a"), cast(WorkItem.department, text).label("b"),
                    cast(WorkItem.grid_cell, text).label("c"), cast(null(), instant).label("at"),
                    WorkItem.created_at.label("ordered"))
             .where(WorkItem.case_id.in_(case_ids), WorkItem.status == WorkItemStatus.OPEN))
    timers = (select(Timer.case_id, literal("timer", String(10)), cast(Timer.kind, text), cast(null(), text),
                     cast(null(), text), Timer.due_at, Timer.due_at)
              .where(Timer.case_id.in_(case_ids), Timer.status == TimerStatus.PENDING))
    links = (select(CaseLink.from_case_id, literal("link", String(10)), cast(other.business_key, text),
                    cast(other.family, text), cast(null(), text), cast(null(), instant), other.opened_at)
             .join(other, other.id == CaseLink.to_case_id)
             .where(CaseLink.from_case_id.in_(case_ids), other.status == CaseStatus.RUNNING))
    combined = union_all(items, timers, links).subquery()
    return select(combined).order_by(combined.c.case_id, combined.c.ordered)


_FACTS = _facts_query()


def _read_facts(session: Session, case_ids: list[int]) -> dict[int, _Facts]:
    facts: dict[int, _Facts] = {case_id: _Facts() for case_id in case_ids}
    if not case_ids:
        return facts
    # On the connection, past the ORM's execution layer (it only returns plain columns): on an API answer
    # that layer cost more than the query. Pending changes are flushed first, as the ORM's autoflush would.
    if session.autoflush:
        session.flush()
    for case_id, fact, a, b, c, at, _ordered in session.connection().execute(_FACTS, {"case_ids": list(case_ids)}):
        found = facts[case_id]
        if fact == "item":
            found.items.append((a, b, c))
        elif fact == "timer" and at is not None:
            found.timers.append(at)
        elif fact == "link":
            found.links.append((a, b))
    return facts


# Per parsed process (a deployed version never changes), dropped with it when the runtime cache lets it go:
# every answer about a case with open steps asks it.
_DECLARED: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()


def declared_case_statuses(session: Session, version_id: int) -> dict[str, str]:
    """task spec -> the caseStatus its BPMN declares, for one deployed version (its runtime is cached)."""
    runtime = runtime_for(session, version_id)
    declared = _DECLARED.get(runtime.parsed.spec)
    if declared is None:
        specs = [runtime.parsed.spec, *runtime.parsed.subprocess_specs.values()]
        declared = _DECLARED[runtime.parsed.spec] = {
            name: value for spec in specs for name, task in spec.task_specs.items()
            if (value := spiff_properties(task).get(CASE_STATUS_PROPERTY))}
    return declared


def _derive(session: Session, case: Case, facts: _Facts) -> CaseDisplay:
    if case.status == CaseStatus.COMPLETED:
        return CaseDisplay(DisplayStatus.COMPLETED)
    if case.status == CaseStatus.CANCELLED:
        return CaseDisplay(DisplayStatus.CANCELLED)
    if (case.open_incidents or 0) > 0:
        return CaseDisplay(DisplayStatus.INCIDENT)
    if facts.items:
        declared = declared_case_statuses(session, case.process_version_id)
        if all(declared.get(spec) == DisplayStatus.AWAITING_REGISTRATION for spec, _d, _g in facts.items):
            return CaseDisplay(DisplayStatus.AWAITING_REGISTRATION)
        units = tuple(dict.fromkeys(department or cell for _s, department, cell in facts.items if department or cell))
        if not units and case.department:
            units = (case.department,)
        return CaseDisplay(DisplayStatus.IN_HANDLING, units=units)
    if facts.links:
        key, family = facts.links[0]
        return CaseDisplay(DisplayStatus.AWAITING_LINKED_CASE, linked_case=key, linked_family=family)
    if facts.timers:
        return CaseDisplay(DisplayStatus.AWAITING_TIMER, until=min(facts.timers))
    return CaseDisplay(DisplayStatus.IN_PROGRESS)


def display_statuses(session: Session, cases: Iterable[Case]) -> dict[int, CaseDisplay]:
    """case id -> its display status, for a page of cases: one query whatever the page size."""
    rows = list(cases)
    facts = _read_facts(session, [c.id for c in rows if c.status == CaseStatus.RUNNING])
    return {c.id: _derive(session, c, facts.get(c.id, _Facts())) for c in rows}


def display_status(session: Session, case: Case) -> CaseDisplay:
    return display_statuses(session, [case])[case.id]
