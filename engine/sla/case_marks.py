"""What the pages mark on a case's deadlines: a pause of its limits, and deadlines that are only provisional.

While the process pauses its limits (``sla_paused``: the applicant supplementing, a site inspection, an
expert review) the case row keeps its last deadline (``cases.due_at``: the closure figures read it on
closed cases), so a page reading only that date shows a deadline that is not running. The case's pause
ledger (engine.sla.case_pauses) says whether it is paused, since when and why; the paused clocks say how
much of their limit is left. A deadline computed over a year whose holiday calendar is not loaded as
official is provisional (``sla_clocks.provisional``, ``missing_years``); the pages say so beside it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.sla.calendar_store import calendar_for
from engine.sla.case_pauses import DEFAULT_PAUSE_REASON
from engine.store.models.cases import Case
from engine.store.models.sla import SlaCasePause, SlaClock
from engine.store.statuses import ACTIVE_CLOCK_STATUSES, CaseStatus, ClockStatus

_CLAUSE_ENDS = ("，", ",", "；", ";", "（", "(")


@dataclass(frozen=True)
class PauseMark:
    """The case's limits stand still since ``since`` (an open pause of its ledger)."""

    since: datetime
    reason: str = ""  # the process's sla_pause_reason as its analyst wrote it; "" when it gave none
    # Working days the paused limits have left when they resume (the nearest one), when a clock knows it.
    remaining_working_days: int | None = None

    @property
    def short_reason(self) -> str:
        """The reason's first clause (等待申请人补正材料), for a line; the whole reason is its tooltip."""
        text = self.reason
        for mark in _CLAUSE_ENDS:
            head = text.split(mark, 1)[0]
            text = head if head.strip() else text
        return text.strip()


def _mark(pause: SlaCasePause) -> PauseMark:
    reason = (pause.reason or "").strip()
    return PauseMark(pause.paused_at, "" if reason == DEFAULT_PAUSE_REASON else reason)


def paused_cases():  # type: ignore[no-untyped-def]
    """The ids of running cases whose limits stand still, as a subquery (the inbox's 暂停计时 filter)."""
    return (select(SlaCasePause.case_id).join(Case, Case.id == SlaCasePause.case_id)
            .where(SlaCasePause.resumed_at.is_(None), Case.status == CaseStatus.RUNNING))


def open_pauses(session: Session, case_ids: Iterable[int]) -> dict[int, PauseMark]:
    """case id -> its open pause, for a page of cases (one query; without the days left)."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return {}
    found: dict[int, PauseMark] = {}
    # Only running cases: a process that ended inside a pause left nothing standing still.
    for pause in session.scalars(select(SlaCasePause).join(Case, Case.id == SlaCasePause.case_id)
                                 .where(SlaCasePause.case_id.in_(ids), SlaCasePause.resumed_at.is_(None),
                                        Case.status == CaseStatus.RUNNING)
                                 .order_by(SlaCasePause.paused_at, SlaCasePause.id)):
        found.setdefault(pause.case_id, _mark(pause))
    return found


def pause_of(session: Session, case: Case) -> PauseMark | None:
    """The case's open pause with the working days its paused limits have left, if it is paused."""
    mark = open_pauses(session, [case.id]).get(case.id)
    if mark is None:
        return None
    left = [days for clock in session.scalars(select(SlaClock).where(SlaClock.case_id == case.id,
                                                                      SlaClock.status == ClockStatus.PAUSED))
            if (days := _days_left(session, clock, mark.since)) is not None]
    return PauseMark(mark.since, mark.reason, min(left) if left else None)


def _days_left(session: Session, clock: SlaClock, since: datetime) -> int | None:
    """Whole working days after the pause's day up to the clock's last deadline (the paused day itself is
    not counted: a statutory pause gives back every working day it touched)."""
    if clock.due_at is None or clock.unit != "working_days":
        return None
    calendar = calendar_for(session, clock.department)
    return calendar.working_days_from_to(calendar.local(since).date() + timedelta(days=1),
                                         calendar.local(clock.due_at).date())


def provisional_years(session: Session, item_ids: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """work item id -> the years without an official holiday calendar its running deadline depends on
    (only items whose deadline is provisional)."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    found: dict[str, set[int]] = {}
    for item_id, years in session.execute(select(SlaClock.work_item_id, SlaClock.missing_years).where(
            SlaClock.work_item_id.in_(ids), SlaClock.status.in_(ACTIVE_CLOCK_STATUSES),
            SlaClock.provisional.is_(True))):
        found.setdefault(item_id, set()).update(int(y) for y in years or [])
    return {item_id: tuple(sorted(years)) for item_id, years in found.items() if years}


def case_provisional_years(session: Session, case: Case) -> tuple[int, ...]:
    """The years behind the case's own deadline (its earliest running limit) when that one is provisional."""
    if case.due_at is None:
        return ()
    years: set[int] = set()
    for clock in session.scalars(select(SlaClock).where(SlaClock.case_id == case.id,
                                                        SlaClock.status.in_(ACTIVE_CLOCK_STATUSES),
                                                        SlaClock.provisional.is_(True))):
        if clock.due_at is not None and abs((clock.due_at - case.due_at).total_seconds()) < 1:
            years.update(int(y) for y in clock.missing_years or [])
    return tuple(sorted(years))


@dataclass(frozen=True)
class DeadlineMarks:
    """What a case's deadlines carry on its pages: its pause, and which of them are provisional."""

    pause: PauseMark | None
    provisional: Mapping[str, tuple[int, ...]]  # work item id -> years, for the open steps' deadlines
    case_provisional: tuple[int, ...]  # the case's own deadline


def deadline_marks(session: Session, case: Case, open_item_ids: Iterable[str]) -> DeadlineMarks:
    return DeadlineMarks(pause_of(session, case), provisional_years(session, open_item_ids),
                         case_provisional_years(session, case))
