"""Fire due timers exactly once, whatever the number of workers.

Each timer fires in its own transaction: the row is claimed with FOR UPDATE SKIP LOCKED on PostgreSQL
(SQLite's single writer serialises the same way), the case advances, the row is marked fired, and all
of it commits together. A worker killed mid-way leaves the row pending for the next one.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.cases.service import get_case, load_workflow_of, persist
from engine.errors import CasegridError
from engine.runtime.errors import advancing
from engine.runtime.projection import snapshot
from engine.runtime.stepping import run_until_wait
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.timers import Timer

log = logging.getLogger(__name__)

TimerHandler = Callable[[Session, Timer, Case, str], None]


def _fire_bpmn_timer(session: Session, timer: Timer, case: Case, worker: str) -> None:
    _runtime, workflow = load_workflow_of(session, case)
    before = snapshot(workflow)
    with advancing(f"case {case.business_key}, timer '{timer.name}'"):
        workflow.refresh_timers()
        run_until_wait(workflow)
    record(session, actor="system", action="timer_fired", case_id=case.id, task_id=timer.spiff_task_id,
           task_name=timer.name, details={"due_at": timer.due_at, "worker": worker})
    persist(session, case, workflow, "system", before)


HANDLERS: dict[str, TimerHandler] = {"bpmn": _fire_bpmn_timer}


def register_handler(kind: str, handler: TimerHandler) -> None:
    HANDLERS[kind] = handler


def _claim_next(session: Session, now: datetime) -> Timer | None:
    query = (
        select(Timer).where(Timer.status == "pending", Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id).limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def fire_one(db: Database, worker: str, now: datetime | None = None) -> bool:
    """Fire the earliest due timer; False when none is due. Failures mark the timer failed, not the worker."""
    now = now or datetime.now(UTC)
    failed: tuple[int, str] | None = None
    with db.transaction() as session:
        timer = _claim_next(session, now)
        if timer is None:
            return False
        try:
            with session.begin_nested():
                case = get_case(session, timer.case_id, with_state=True)
                if case.status != "running":
                    timer.status = "cancelled"
                else:
                    HANDLERS[timer.kind](session, timer, case, worker)
                    timer.status = "fired"
                timer.fired_at = datetime.now(UTC)
                timer.fired_by = worker
        except CasegridError as exc:
            failed = (timer.id, exc.message)
        if failed:
            timer.status = "failed"
            timer.payload = {**(timer.payload or {}), "error": failed[1]}
            record(session, actor="system", action="timer_failed", case_id=timer.case_id, task_name=timer.name,
                   details={"error": failed[1], "worker": worker})
    if failed:
        log.warning("timer %s failed: %s", failed[0], failed[1])
    return True


def fire_due(db: Database, worker: str, now: datetime | None = None, limit: int = 1000) -> int:
    fired = 0
    while fired < limit and fire_one(db, worker, now):
        fired += 1
    return fired


def next_due_at(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Timer.due_at)).where(Timer.status == "pending"))
