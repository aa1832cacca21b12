"""Loading a calendar year, and recomputing every deadline that depended on it.

A deadline past the loaded years is computed by the weekend-only rule and marked provisional
(``sla_clocks.provisional``). When the State Council's notice for that year is loaded, every
provisional running or paused clock is recomputed: its work item's ``due_at``, its SLA timers and
its case's ``due_at`` move together, in the same transaction as the load.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.sla.calendar_store import read_year, store_year_file
from engine.sla.clocks import ACTIVE, case_due, now_utc, schedule
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem


@dataclass
class RecomputeReport:
    recomputed: int = 0
    moved: list[tuple[int, datetime | None, datetime | None]] = field(default_factory=list)  # clock, old, new
    still_provisional: int = 0


@dataclass
class YearLoadReport:
    year: int
    status: str
    recompute: RecomputeReport


def recompute_provisional(session: Session, actor: str = "system") -> RecomputeReport:
    """Recompute every provisional clock that still runs (or is paused) with the stored calendar."""
    report = RecomputeReport()
    now = now_utc()
    clocks = list(session.scalars(select(SlaClock).where(SlaClock.provisional.is_(True),
                                                         SlaClock.status.in_(ACTIVE)).order_by(SlaClock.id)))
    touched_cases: set[int] = set()
    for clock in clocks:
        old = clock.due_at
        schedule(session, clock, session.get(WorkItem, clock.work_item_id), now)
        report.recomputed += 1
        report.still_provisional += int(clock.provisional)
        if old != clock.due_at:
            report.moved.append((clock.id, old, clock.due_at))
            record(session, actor=actor, action="sla_deadline_recomputed", case_id=clock.case_id,
                   task_id=clock.work_item_id, before={"due_at": old}, after={"due_at": clock.due_at},
                   details={"policy": clock.policy_key, "provisional": clock.provisional})
        touched_cases.add(clock.case_id)
    for case_id in touched_cases:
        case = session.get(Case, case_id)
        if case is not None:
            case_due(session, case)
    return report


def load_year(session: Session, path_or_text: str | Path, actor: str, *, allow_draft: bool = False) -> YearLoadReport:
    """Store one year file (replacing that year) and recompute provisional deadlines; one transaction.

    A draft file is refused unless ``allow_draft`` (deadlines it touches stay provisional)."""
    year_file = read_year(path_or_text, allow_draft)
    store_year_file(session, year_file, actor)
    record(session, actor=actor, action="calendar_year_loaded",
           details={"year": year_file.year, "status": year_file.status, "source": year_file.source})
    report = recompute_provisional(session, actor)
    return YearLoadReport(year_file.year, year_file.status, report)
