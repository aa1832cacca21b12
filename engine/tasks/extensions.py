"""Time-limit actions addressed by work item, as the inbox and task API offer them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.org.access import Actor
from engine.sla.clocks import ACTIVE
from engine.sla.models import SlaClock, SlaExtension
from engine.sla.process_owned import item_handles_extensions
from engine.sla.services import request_extension
from engine.tasks.models import WorkItem
from engine.tasks.view import authorised_item


def request_extension_for_task(session: Session, item_id: str, actor: Actor, amount: float, unit: str | None,
                               reason: str) -> SlaExtension:
    """request_extension on the clock of this task; only someone who may work the task may ask.

    A task whose process models the extension itself (property slaExtensionRequest) is refused: the
    request must go through its form so the process's review step sees and decides it."""
    item = authorised_item(session, item_id, actor, to_work=True)
    if item_handles_extensions(session, item):
        raise Conflict(f"task '{item.task_name}' asks for extensions through its own form (choose the "
                       "extension option and complete the task); the process reviews the request itself")
    return request_extension(session, item.case_id, actor, amount, reason, task=item.task_spec, unit=unit)


def extension_unit(session: Session, item: WorkItem) -> str | None:
    """The unit an extension on this task is counted in: its active limit's, as request_extension picks
    it (a staged limit's clock may belong to an earlier item of the same step). None when none runs."""
    query = (select(SlaClock.unit).join(WorkItem, WorkItem.id == SlaClock.work_item_id)
             .where(SlaClock.case_id == item.case_id, SlaClock.status.in_(ACTIVE),
                    WorkItem.task_spec == item.task_spec)
             .order_by(SlaClock.id).limit(1))
    return session.scalar(query)
