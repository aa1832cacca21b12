"""Time-limit actions addressed by work item, as the inbox and task API offer them."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.org.access import Actor
from engine.sla.clocks import ACTIVE
from engine.sla.process_owned import item_handles_extensions
from engine.sla.services import case_clocks, limit_extendable, request_extension
from engine.store.models.cases import Case
from engine.store.models.sla import SlaExtension
from engine.store.models.tasks import WorkItem
from engine.store.statuses import ExtensionStatus, WorkItemStatus


def request_extension_for_task(session: Session, item: WorkItem, actor: Actor, amount: float, unit: str | None,
                               reason: str) -> SlaExtension:
    """request_extension on the clock of this task (the caller has checked the actor may work it).

    A task whose process models the extension itself (property slaExtensionRequest) is refused: the
    request must go through its form so the process's review step sees and decides it."""
    if item_handles_extensions(session, item):
        raise Conflict(f"task '{item.task_name}' asks for extensions through its own form (choose the "
                       "extension option and complete the task); the process reviews the request itself",
                       key="extension.asked_in_form", params={"task": item.task_name})
    return request_extension(session, item.case_id, actor, amount, reason, task=item.task_spec, unit=unit)


@dataclass(frozen=True)
class ExtensionOffer:
    """What a task page offers for more time: the request form (in `unit`), or word that one waits."""

    unit: str
    pending: bool


def extension_offer(session: Session, item: WorkItem) -> ExtensionOffer | None:
    """None when asking beside the task cannot succeed: its process asks through the task's own form, no
    limit runs on it, or its limit may not be extended (policy not `extendable`). `pending` when a request already waits for a decision (one at a time)."""
    if item.status != WorkItemStatus.OPEN or item.due_at is None or item_handles_extensions(session, item):
        return None
    clocks = case_clocks(session, item.case_id, item.task_spec, ACTIVE)
    case = session.get(Case, item.case_id)
    if not clocks or case is None or not limit_extendable(session, case, clocks[0]):
        return None
    waiting = session.scalar(select(SlaExtension.id).where(SlaExtension.clock_id == clocks[0].id,
                                                           SlaExtension.status == ExtensionStatus.PENDING).limit(1))
    return ExtensionOffer(clocks[0].unit, waiting is not None)
