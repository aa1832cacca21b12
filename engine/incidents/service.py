"""Open, resolve, list and count incidents, inside the caller's transaction.

``cases.open_incidents`` moves with every blocking incident that opens or closes. It is changed with
a plain UPDATE: an incident is news about the case, not a step of it, so a user holding the case
page does not get a conflict because the worker met a failure elsewhere in the case.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.errors import NotFound
from engine.incidents.describe import Failure
from engine.store.models.cases import Case
from engine.store.models.incidents import Incident, IncidentKind, IncidentStatus


def _bump_case_flag(session: Session, case_id: int | None, by: int) -> None:
    if case_id is None:
        return
    # Never below zero: a case cancelled with open incidents was already set to 0.
    counted = case((Case.open_incidents + by < 0, 0), else_=Case.open_incidents + by)
    session.execute(update(Case).where(Case.id == case_id).values(open_incidents=counted),
                    execution_options={"synchronize_session": False})
    loaded = session.identity_map.get(session.identity_key(Case, case_id))
    if loaded is not None:
        session.expire(loaded, ["open_incidents"])


def open_for(session: Session, case_id: int | None, element: str, kind: IncidentKind,
             process_key: str | None = None) -> Incident | None:
    """The open incident of this element of this case (of this process for a failed start), if any."""
    query = select(Incident).where(Incident.status == IncidentStatus.OPEN, Incident.element == element,
                                   Incident.kind == kind)
    if case_id is None:
        query = query.where(Incident.case_id.is_(None), Incident.process_key == process_key)
    else:
        query = query.where(Incident.case_id == case_id)
    return session.scalars(query.order_by(Incident.id).limit(1)).first()


def open_incident(session: Session, failure: Failure, *, case_id: int | None, raised_by: str,
                  timer_id: int | None = None, element: str | None = None,
                  process_key: str | None = None) -> Incident:
    """Open an incident for `failure`, or count one more attempt on the element's open incident.

    `element` names the place when the error did not (a timer's name, a task's spec)."""
    where = failure.element or element or ""
    process = failure.process_key or process_key
    now = datetime.now(UTC)
    incident = open_for(session, case_id, where, failure.kind, process)
    if incident is not None:
        incident.attempts += 1
        incident.error = failure.error
        incident.updated_at = now
        incident.raised_by = raised_by
        if timer_id is not None:
            incident.timer_id = timer_id
        session.flush()
        record(session, actor=raised_by, action="incident_failed_again", case_id=case_id, task_name=where,
               details={"incident": incident.id, "attempts": incident.attempts, "error": failure.error})
        return incident
    incident = Incident(case_id=case_id, process_key=process, element=where,
                        element_name=failure.element_name, kind=failure.kind, error=failure.error, attempts=1,
                        status=IncidentStatus.OPEN, timer_id=timer_id, raised_by=raised_by, created_at=now,
                        updated_at=now)
    session.add(incident)
    session.flush()
    if failure.kind.blocking:
        _bump_case_flag(session, case_id, +1)
    record(session, actor=raised_by, action="incident_opened", case_id=case_id,
           task_name=failure.element_name or where,
           details={"incident": incident.id, "kind": failure.kind.value, "element": where, "error": failure.error})
    return incident


def failed_again(session: Session, incident: Incident, failure: Failure, actor: str) -> Incident:
    """A retry of `incident` failed: one more attempt, the new error (and place, if it moved on)."""
    incident.attempts += 1
    incident.error = failure.error
    if failure.element:
        incident.element = failure.element
        incident.element_name = failure.element_name
    incident.updated_at = datetime.now(UTC)
    session.flush()
    record(session, actor=actor, action="incident_retry_failed", case_id=incident.case_id,
           task_name=incident.element_name or incident.element,
           details={"incident": incident.id, "attempts": incident.attempts, "error": failure.error})
    return incident


def close_incident(session: Session, incident: Incident, actor: str,
                   status: IncidentStatus = IncidentStatus.RESOLVED, note: str | None = None) -> Incident:
    incident.status = status
    incident.resolved_at = incident.updated_at = datetime.now(UTC)
    incident.resolved_by = actor
    session.flush()
    if IncidentKind(incident.kind).blocking:
        _bump_case_flag(session, incident.case_id, -1)
    details = {"incident": incident.id, "attempts": incident.attempts}
    if note:
        details["reason"] = note
    record(session, actor=actor, action=f"incident_{status.value}", case_id=incident.case_id,
           task_name=incident.element_name or incident.element, details=details)
    return incident


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return incident


@dataclass(frozen=True)
class IncidentRow:
    """One line of the operator page, the dashboard and the API list."""

    id: int
    case_id: int | None
    business_key: str | None
    case_title: str | None
    case_status: str | None
    process_key: str | None
    element: str
    element_name: str | None
    kind: str
    error: str
    attempts: int
    status: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    @property
    def blocking(self) -> bool:
        return IncidentKind(self.kind).blocking

    @property
    def retryable(self) -> bool:
        return self.blocking and self.status == IncidentStatus.OPEN


_COLUMNS = (Incident.id, Incident.case_id, Case.business_key, Case.title, Case.status, Incident.process_key,
            Incident.element, Incident.element_name, Incident.kind, Incident.error, Incident.attempts,
            Incident.status, Incident.created_at, Incident.updated_at, Incident.resolved_at,
            Incident.resolved_by)


def list_incidents(session: Session, *, status: IncidentStatus | None = None, case_id: int | None = None,
                   blocking: bool | None = None, incident_id: int | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[IncidentRow], int]:
    """Newest first, with the case's key and title; `blocking` False lists failed user actions only."""
    where = []
    if incident_id is not None:
        where.append(Incident.id == incident_id)
    if status is not None:
        where.append(Incident.status == status)
    if case_id is not None:
        where.append(Incident.case_id == case_id)
    if blocking is True:
        where.append(Incident.kind != IncidentKind.USER_ACTION)
    elif blocking is False:
        where.append(Incident.kind == IncidentKind.USER_ACTION)
    total = session.scalar(select(func.count()).select_from(Incident).where(*where)) or 0
    query = (select(*_COLUMNS).outerjoin(Case, Case.id == Incident.case_id).where(*where)
             .order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit).offset(offset))
    return [IncidentRow(*row) for row in session.execute(query).all()], total


def count_open(session: Session, blocking: bool = True) -> int:
    kind = Incident.kind != IncidentKind.USER_ACTION if blocking else Incident.kind == IncidentKind.USER_ACTION
    return session.scalar(select(func.count()).select_from(Incident)
                          .where(Incident.status == IncidentStatus.OPEN, kind)) or 0

