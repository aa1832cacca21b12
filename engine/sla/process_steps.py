"""Extensions asked and decided in the process's own steps go through the SLA services.

A process that models the extension flow in BPMN (social event: the handler chooses "extension" in
`handle`, the supervisor decides in `review_extension`) names it on its user tasks:

* `slaExtensionRequest` — an expression over the completed task's data giving
  `{"amount", "unit", "reason"}` (or None when the task asked for nothing): the SLA request is
  recorded on the task's running clock (``request_extension``), exactly as the API would;
* `slaExtensionDecision` — an expression giving `{"approve": bool, "note": str}`: the case's pending
  request asked through the process is decided (``decide_extension``); an approval moves the
  deadline of every clock continuing it.

Called by ``engine.tasks.service.complete`` before the task runs, in the same transaction, so the
request is recorded while the clock it extends still runs and nothing is kept if the step fails.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sandbox
from engine.errors import ScriptFailed
from engine.org.access import Actor
from engine.sla.clocks import ACTIVE
from engine.sla.process_owned import DECISION_PROPERTY, REQUEST_PROPERTY, handled_by_process, task_properties
from engine.sla.services import decide_extension, request_extension
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock, SlaExtension
from engine.store.models.tasks import WorkItem
from engine.store.statuses import ExtensionStatus


def _mapping(item: WorkItem, name: str, expression: str, data: Mapping[str, Any], keys: set[str]) -> dict[str, Any] | None:
    value = sandbox.evaluate(expression, data)
    if value is None:
        return None
    if not isinstance(value, dict) or not keys <= set(value):
        raise ScriptFailed(f"task '{item.task_name}': property {name} must give a mapping with "
                           f"{', '.join(sorted(keys))} (or None), got {value!r}")
    return value


def _has_running_clock(session: Session, item: WorkItem) -> bool:
    return session.scalar(select(SlaClock.id).where(SlaClock.work_item_id == item.id,
                                                    SlaClock.status.in_(ACTIVE)).limit(1)) is not None


def before_task_completes(session: Session, case: Case, item: WorkItem, data: Mapping[str, Any],
                          actor: Actor) -> SlaExtension | None:
    """Record or decide the SLA extension the completing task asks for; the request or decision, if any."""
    props = task_properties(session, case, item.task_spec)
    if props.get(REQUEST_PROPERTY):
        asked = _mapping(item, REQUEST_PROPERTY, props[REQUEST_PROPERTY], data, {"amount", "unit", "reason"})
        # A process deployed without a policy for this task has no clock to extend: its flow still runs.
        if asked is not None and _has_running_clock(session, item):
            return request_extension(session, case.id, actor, asked["amount"], str(asked["reason"] or ""),
                                     task=item.task_spec, unit=asked["unit"] or None, from_process=True)
    if props.get(DECISION_PROPERTY):
        decided = _mapping(item, DECISION_PROPERTY, props[DECISION_PROPERTY], data, {"approve"})
        if decided is not None:
            pending = [e for e in session.scalars(select(SlaExtension).where(
                SlaExtension.case_id == case.id, SlaExtension.status == ExtensionStatus.PENDING).order_by(SlaExtension.id.desc()))
                if handled_by_process(session, e)]
            if pending:
                return decide_extension(session, pending[0].id, actor, bool(decided["approve"]),
                                        str(decided.get("note") or ""), from_process=True)
    return None
