"""Find running cases that wait on nothing an operator could see, and make each an incident.

A running case must wait on an open work item, a pending timer, a message subscription, a running case
it is linked to, or an open incident (docs/architecture.md). One that waits on none of them has stalled
where nobody would notice; the worker sweeps for such cases and opens a ``stalled`` incident, which an
operator retries (engine.commands.incidents) after a fix. The query reads projections only; every
subquery is on an indexed case_id column.
"""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from engine.incidents.describe import Failure
from engine.incidents.service import open_incident
from engine.store.models.cases import Case, CaseLink
from engine.store.models.incidents import Incident, IncidentKind
from engine.store.models.messages import MessageSubscription
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import CaseStatus, TimerStatus, WorkItemStatus

STALLED = ("this case waits on nothing: no open task, no pending timer, no message, no linked case; "
           "the process cannot move on from here by itself")


def waits_on_nothing(case_id_column=Case.id):  # type: ignore[no-untyped-def]
    """The SQL condition: the case (by `case_id_column`) has nothing visible to wait on."""
    linked = aliased(Case)
    return ~exists().where(WorkItem.case_id == case_id_column, WorkItem.status == WorkItemStatus.OPEN) \
        & ~exists().where(Timer.case_id == case_id_column, Timer.status == TimerStatus.PENDING) \
        & ~exists().where(MessageSubscription.case_id == case_id_column) \
        & ~exists().where(CaseLink.from_case_id == case_id_column, linked.id == CaseLink.to_case_id,
                          linked.status == CaseStatus.RUNNING)


def stalled_case_ids(session: Session, limit: int = 100) -> list[int]:
    """Running cases without an open incident that wait on nothing, oldest first."""
    query = (select(Case.id).where(Case.status == CaseStatus.RUNNING, Case.open_incidents == 0,
                                   waits_on_nothing()).order_by(Case.id).limit(limit))
    return list(session.scalars(query))


def is_stalled(session: Session, case_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Case.id == case_id, Case.status == CaseStatus.RUNNING,
                                                     waits_on_nothing()))))


def report_stalls(session: Session, raised_by: str, limit: int = 100) -> list[Incident]:
    """Open a ``stalled`` incident for each stalled case found (at most `limit` per sweep)."""
    opened = []
    for case_id in stalled_case_ids(session, limit):
        case = session.get(Case, case_id)
        assert case is not None
        failure = Failure(kind=IncidentKind.STALLED, error=STALLED, element=None, element_name=None,
                          process_key=case.process_key)
        opened.append(open_incident(session, failure, case_id=case_id, raised_by=raised_by,
                                    element=case.current_step or "process"))
    return opened
