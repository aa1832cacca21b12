"""Timer rows and what firing one does; engine.commands.timers fires them.

Each timer fires in its own transaction: the row is claimed with FOR UPDATE SKIP LOCKED on PostgreSQL
(SQLite's single writer serialises the same way), the case advances, the row is marked fired, and all
of it commits together. A worker killed mid-way leaves the row pending for the next one.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.cases.service import load_workflow_of, persist
from engine.runtime.errors import advancing
from engine.runtime.projection import snapshot, waiting_timers
from engine.runtime.stepping import run_until_wait
from engine.store.models.cases import Case
from engine.store.models.timers import Timer
from engine.store.statuses import TimerStatus

# A handler returns False when the timer turned out not to be due yet (the row stays pending).
TimerHandler = Callable[[Session, Timer, Case, str], bool | None]


def _fire_bpmn_timer(session: Session, timer: Timer, case: Case, worker: str) -> bool | None:
    _runtime, workflow = load_workflow_of(session, case)
    before = snapshot(workflow)
    with advancing(f"case {case.business_key}, timer '{timer.name}'"):
        workflow.refresh_timers()
        run_until_wait(workflow)
    if timer.spiff_task_id in waiting_timers(workflow) and timer.spiff_task_id in before.timer_map:
        # SpiffWorkflow fires a timer only once its time is strictly past; at the very instant it still
        # waits. Nothing moved, so nothing is written.
        return False
    record(session, actor="system", action="timer_fired", case_id=case.id, task_id=timer.spiff_task_id,
           task_name=timer.name, details={"due_at": timer.due_at, "worker": worker})
    persist(session, case, workflow, "system", before)
    return True


HANDLERS: dict[str, TimerHandler] = {"bpmn": _fire_bpmn_timer}


def register_handler(kind: str, handler: TimerHandler) -> None:
    HANDLERS[kind] = handler


def claim_next(session: Session, now: datetime, skip: frozenset[int] = frozenset()) -> Timer | None:
    """The earliest due pending timer, locked for this transaction (skipping rows other workers hold)."""
    query = select(Timer).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= now)
    if skip:
        query = query.where(Timer.id.not_in(skip))
    query = query.order_by(Timer.due_at, Timer.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def next_due_at(session: Session) -> datetime | None:
    return session.scalar(select(func.min(Timer.due_at)).where(Timer.status == TimerStatus.PENDING))
