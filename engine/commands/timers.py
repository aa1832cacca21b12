"""Fire due timers: each in its own step, a failure becoming an incident instead of a stuck case.

A timer fires inside a savepoint. When its step raises (a script, a gateway with no matching flow, a
message nobody takes, a bad timer expression, anything else in the handler), the savepoint rolls the
case back to where it waited, the timer is marked ``failed`` so no worker picks it up again (no hot
loop), and an incident names the element and the error; ``retry_incident`` fires the same timer again.
A concurrent change of the case is not a failure: the timer stays pending for the next sweep.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.audit.service import record
from engine.cases.service import get_case
from engine.errors import CasegridError, Conflict
from engine.incidents.describe import describe
from engine.incidents.service import failed_again, open_incident
from engine.store.database import Database
from engine.store.models.incidents import Incident
from engine.store.models.timers import Timer
from engine.store.statuses import CaseStatus, TimerStatus
from engine.timers.service import HANDLERS, claim_next

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FireResult:
    timer_id: int
    status: TimerStatus  # fired, cancelled (the case had ended), failed (an incident), pending (a concurrent change)
    incident_id: int | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == TimerStatus.FAILED


def _concurrent_change(exc: BaseException) -> bool:
    return isinstance(exc, Conflict) and isinstance(exc.__cause__, StaleDataError)


def fire_timer(session: Session, worker: str, timer: Timer, retrying: Incident | None = None) -> FireResult:
    """Fire `timer` in the caller's transaction; a failure opens an incident (or, for `retrying`, counts
    one more attempt on it) and returns, so the caller's transaction keeps the record of it."""
    timer_id, case_id = timer.id, timer.case_id
    try:
        with session.begin_nested():
            case = get_case(session, case_id, with_state=True)
            if case.status != CaseStatus.RUNNING:
                timer.status = TimerStatus.CANCELLED
            elif HANDLERS[timer.kind](session, timer, case, worker) is False:
                # Not yet due by the workflow's own clock: the row stays pending for the next sweep, rather
                # than being marked fired while the case still waits on it.
                return FireResult(timer_id, TimerStatus.PENDING)
            else:
                timer.status = TimerStatus.FIRED
            timer.fired_at = datetime.now(UTC)
            timer.fired_by = worker
        return FireResult(timer_id, TimerStatus(timer.status))
    except (OperationalError, InterfaceError):
        raise  # the database itself is gone: nothing can be recorded, the worker loop waits and retries
    except Exception as exc:  # noqa: BLE001 - every failure of a step becomes an incident, never a stuck case
        if _concurrent_change(exc):
            if retrying is not None:
                raise
            log.info("timer %s: case changed concurrently; left pending for the next sweep", timer_id)
            return FireResult(timer_id, TimerStatus.PENDING)
        if not isinstance(exc, CasegridError):
            log.exception("timer %s: unexpected failure in its handler", timer_id)
        failure = describe(exc)
    timer.status = TimerStatus.FAILED
    timer.payload = {**(timer.payload or {}), "error": failure.error}
    record(session, actor="system", action="timer_failed", case_id=case_id, task_name=timer.name,
           details={"error": failure.error, "worker": worker})
    if retrying is not None:
        incident = failed_again(session, retrying, failure, worker)
    else:
        incident = open_incident(session, failure, case_id=case_id, raised_by=worker, timer_id=timer_id,
                                 element=timer.name or f"timer {timer_id}")
    log.warning("timer %s failed (incident %s): %s", timer_id, incident.id, failure.error)
    return FireResult(timer_id, TimerStatus.FAILED, incident.id, failure.error)


def fire_one(db: Database, worker: str, now: datetime | None = None,
             skip: frozenset[int] = frozenset()) -> FireResult | None:
    """Fire the earliest due timer not in `skip`, in one transaction; None when none is due."""
    now = now or datetime.now(UTC)
    with db.transaction() as session:
        timer = claim_next(session, now, skip)
        if timer is None:
            return None
        return fire_timer(session, worker, timer)


def fire_due(db: Database, worker: str, now: datetime | None = None, limit: int = 1000) -> int:
    """Fire due timers, each once per call (a timer left pending by a concurrent change waits for the
    next call rather than spinning); returns how many were taken, failures included."""
    tried: set[int] = set()
    while len(tried) < limit:
        result = fire_one(db, worker, now, frozenset(tried))
        if result is None:
            break
        tried.add(result.timer_id)
    return len(tried)
