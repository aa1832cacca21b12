"""Time-limit actions addressed by work item, as the inbox and task API offer them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.org.access import Actor
from engine.sla.clocks import ACTIVE
from engine.sla.process_owned import item_handles_extensions
from engine.sla.services import case_clocks, request_extension
from engine.store.models.sla import SlaExtension
from engine.store.models.tasks import WorkItem


def request_extension_for_task(session: Session, item: WorkItem, actor: Actor, amount: float, unit: str | None,
                               reason: str) -> SlaExtension:
    """request_extension on the clock of this task (the caller has checked the actor may work it).

    A task whose process models the extension itself (property slaExtensionRequest) is refused: the
    request must go through its form so the process's review step sees and decides it."""
    if item_handles_extensions(session, item):
        raise Conflict(f"task '{item.task_name}' asks for extensions through its own form (choose the "
                       "extension option and complete the task); the process reviews the request itself")
    return request_extension(session, item.case_id, actor, amount, reason, task=item.task_spec, unit=unit)


def extension_unit(session: Session, item: WorkItem) -> str | None:
    """The unit an extension on this task is counted in: that of the limit request_extension extends.
    None when none runs."""
    clocks = case_clocks(session, item.case_id, item.task_spec, ACTIVE)
    return clocks[0].unit if clocks else None
