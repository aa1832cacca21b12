"""Which extension requests a process handles itself, read from its task properties.

A user task with the property `slaExtensionRequest` asks for extensions through its own form and the
process decides them in a task with `slaExtensionDecision` (docs/bpmn-conventions.md). Those requests
are asked and decided only through the process: the generic task/extension endpoints refuse them, so
an SLA extension never exists that the process does not see, nor is one decided behind its back.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions.versions import runtime_for
from engine.runtime.parsing import spiff_properties
from engine.store.models.cases import Case
from engine.store.models.sla import SlaExtension
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

REQUEST_PROPERTY = "slaExtensionRequest"
DECISION_PROPERTY = "slaExtensionDecision"


def task_properties(session: Session, case: Case, task_spec: str) -> dict[str, str]:
    spec = runtime_for(session, case.process_version_id).parsed.spec.task_specs.get(task_spec)
    return spiff_properties(spec) if spec is not None else {}


def item_handles_extensions(session: Session, item: WorkItem) -> bool:
    """Whether the item's task asks for extensions through its form (property slaExtensionRequest)."""
    case = session.get(Case, item.case_id)
    return case is not None and bool(task_properties(session, case, item.task_spec).get(REQUEST_PROPERTY))


def handled_by_process(session: Session, extension: SlaExtension) -> bool:
    """Whether this request was asked in a task of the process and waits for the process's review step."""
    item = session.get(WorkItem, extension.work_item_id)
    return item is not None and item_handles_extensions(session, item)


def review_task(session: Session, extension: SlaExtension) -> WorkItem | None:
    """The open step of the case that decides this process-owned request (property slaExtensionDecision):
    where a supervisor goes to approve or reject it. None while the process has not reached it."""
    case = session.get(Case, extension.case_id)
    if case is None:
        return None
    items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)
                            .order_by(WorkItem.created_at))
    return next((item for item in items if task_properties(session, case, item.task_spec).get(DECISION_PROPERTY)),
                None)
