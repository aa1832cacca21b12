"""Staged time limits addressed by work item, as the task page and the task API offer them.

A staged limit (私搭乱建: stop work 4 working hours → penalty decision 7 working days → demolition
20 working days, rules/sla/social_event.yaml) runs on the handling steps of a case; the handler says
when a stage is done and the next stage's clock starts from that moment (engine.sla.services.advance_stage).
The rework after a failed verification runs under a policy that ``resumes`` the staged one
(``social_event.rework_0101``): its task starts at the stage not achieved, and its stages are advanced here
in the same way (engine.sla.clocks.resumed_stage).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput
from engine.org.access import Actor
from engine.sla.clocks import ACTIVE, policy_of
from engine.sla.services import advance_stage
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus

NOTE_MAX = 1000


@dataclass(frozen=True)
class TaskStage:
    """Where the staged limit on a work item stands: the current stage (1-based ``number`` of ``count``)."""

    policy_key: str
    number: int
    count: int
    name: str | None
    names: tuple[str | None, ...]
    due_at: datetime | None
    next_name: str | None  # None on the last stage: completing the task ends the limit
    done: list[dict[str, Any]] = field(default_factory=list)  # earlier stages, as stage_history holds them


def task_stage(session: Session, item: WorkItem) -> TaskStage | None:
    """The staged limit running on the item, or None (no limit, or a limit of one stage)."""
    if item.status != WorkItemStatus.OPEN:
        return None
    clock = session.scalar(select(SlaClock).where(SlaClock.work_item_id == item.id, SlaClock.status.in_(ACTIVE))
                           .order_by(SlaClock.id.desc()).limit(1))
    case = session.get(Case, item.case_id) if clock is not None else None
    policy = policy_of(session, case, clock) if clock is not None and case is not None else None
    if clock is None or policy is None or len(policy.stages) < 2:
        return None
    names = tuple(s.name for s in policy.stages)
    following = names[clock.stage + 1] if clock.stage + 1 < len(names) else None
    return TaskStage(policy.key, clock.stage + 1, len(names), clock.stage_name, names, clock.due_at,
                     following, list(clock.stage_history or []))


def advance_stage_for_task(session: Session, item: WorkItem, actor: Actor, note: str | None = "") -> SlaClock:
    """The current stage of the item's staged limit is done; the next one starts now.

    Only someone who may work the task may say so (Forbidden otherwise); a task that is no longer open,
    has no staged limit or is on its last stage is a Conflict. Either way nothing changes."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("the note is too long", {"note": [f"at most {NOTE_MAX} characters"]})
    if item.status != WorkItemStatus.OPEN:
        raise Conflict(f"task '{item.task_name}' is {item.status}; a stage can only be done on an open task",
                       key="stage.task_closed", params={"task": item.task_name, "task_status": item.status})
    return advance_stage(session, item.case_id, actor, work_item_id=item.id, note=note)
