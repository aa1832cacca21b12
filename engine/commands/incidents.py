"""Retry and cancel incidents (engine.incidents): the operator's two ways to unstick a case.

Who: the organisation's administrators and business analysts (engine.incidents.access), refused with
403; an unknown incident is 404; one no longer open is 409. A retry fires the failed timer again with
the case's current definition (after a corrected version was deployed and the case migrated, the new
one); success resolves the incident and the case moves on. A failed retry is no refusal: it is
recorded (one more attempt, the new error) in this command's transaction, and the caller answers
with ``RetryFailed`` after committing it (see ``raise_if_failed``).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.cases.service import cancel_case, get_case, resume_case
from engine.commands.timers import fire_timer
from engine.errors import CasegridError, Conflict, InvalidInput
from engine.incidents.access import require_operate
from engine.incidents.describe import Failure, describe
from engine.incidents.errors import RetryFailed
from engine.incidents.failures import record_user_failure
from engine.incidents.service import close_incident, failed_again, get_incident
from engine.incidents.stalls import STALLED, is_stalled, report_stalls
from engine.org.access import Actor
from engine.store.database import Database
from engine.store.models.incidents import Incident, IncidentKind, IncidentStatus
from engine.store.models.timers import Timer
from engine.store.statuses import CaseStatus


@dataclass(frozen=True)
class RetryResult:
    incident_id: int
    resolved: bool
    attempts: int
    error: str | None = None


def _open_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    require_operate(actor)
    incident = get_incident(session, incident_id)
    if incident.status != IncidentStatus.OPEN:
        raise Conflict(f"incident {incident_id} is already {incident.status}")
    return incident


def retry_incident(session: Session, actor: Actor, incident_id: int) -> RetryResult:
    incident = _open_incident(session, actor, incident_id)
    if not IncidentKind(incident.kind).blocking:
        raise Conflict(f"incident {incident_id} records a user's failed action; the user retries it, "
                       "an operator can only dismiss it")
    if incident.kind == IncidentKind.STALLED:
        return _resume_stalled(session, actor, incident)
    timer = session.get(Timer, incident.timer_id) if incident.timer_id is not None else None
    if timer is None:
        raise Conflict(f"incident {incident_id} has nothing to retry")
    case = get_case(session, timer.case_id)
    if case.status != CaseStatus.RUNNING:
        raise Conflict(f"case {case.business_key} is {case.status}; nothing to retry")
    result = fire_timer(session, actor.username, timer, retrying=incident)
    if result.failed:
        return RetryResult(incident.id, False, incident.attempts, result.error)
    close_incident(session, incident, actor.username, IncidentStatus.RESOLVED)
    return RetryResult(incident.id, True, incident.attempts)


def _resume_stalled(session: Session, actor: Actor, incident: Incident) -> RetryResult:
    """Run the stalled case on; resolved once it waits on something visible again (or has ended)."""
    case = get_case(session, incident.case_id or 0, with_state=True)
    if case.status != CaseStatus.RUNNING:
        close_incident(session, incident, actor.username, IncidentStatus.RESOLVED)
        return RetryResult(incident.id, True, incident.attempts)
    try:
        with session.begin_nested():
            resume_case(session, case, actor.username)
    except CasegridError as exc:
        failure = describe(exc)
        failed_again(session, incident, failure, actor.username)
        return RetryResult(incident.id, False, incident.attempts, failure.error)
    if is_stalled(session, case.id):
        failed_again(session, incident, Failure(kind=IncidentKind.STALLED, error=STALLED), actor.username)
        return RetryResult(incident.id, False, incident.attempts, STALLED)
    close_incident(session, incident, actor.username, IncidentStatus.RESOLVED)
    return RetryResult(incident.id, True, incident.attempts)


def raise_if_failed(result: RetryResult) -> RetryResult:
    """Call after the retry's transaction committed, so the failed attempt stays recorded."""
    if not result.resolved:
        raise RetryFailed(f"retry failed (attempt {result.attempts}): {result.error}",
                          {"incident": result.incident_id, "attempts": result.attempts})
    return result


def cancel_incident(session: Session, actor: Actor, incident_id: int, reason: str) -> Incident:
    """A blocking incident is cancelled with its case (the existing cancel, which ends all its
    incidents); a failed user action is only dismissed."""
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required to cancel an incident", {"reason": ["required"]})
    incident = _open_incident(session, actor, incident_id)
    if IncidentKind(incident.kind).blocking and incident.case_id is not None:
        cancel_case(session, incident.case_id, actor, reason)
        session.refresh(incident)
        return incident
    return close_incident(session, incident, actor.username, IncidentStatus.CANCELLED, reason)


def report_stalled_cases(session: Session, worker: str, limit: int = 100) -> list[Incident]:
    """The worker's sweep (and `casegrid incidents scan`): a ``stalled`` incident for each running case
    that waits on nothing visible, so no case stalls unseen."""
    return report_stalls(session, worker, limit)


def record_failed_action(db: Database, exc: BaseException, actor: str) -> Incident | None:
    """After a user's start or completion was refused because its definition failed (a script, a
    condition): record it, in a transaction of its own, where an operator sees it repeat. Never raises."""
    return record_user_failure(db, exc, actor)
