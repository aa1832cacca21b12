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

Who is told of a request asked this way: those who decide it, i.e. who may work the process's review
step (its lane's role in its department, by the access specification), told once the step has run and
that review step is open (``after_task_completes``) — not the requesting unit's department heads, who
decide the requests asked on the dashboard's side panel but cannot work the process's review step.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sandbox
from engine.definitions.versions import runtime_for
from engine.errors import ScriptFailed
from engine.org.access import Actor
from engine.runtime.parsing import spiff_properties
from engine.sla.clocks import ACTIVE
from engine.sla.notify import recipients_for_item, users_with_role
from engine.sla.process_owned import (
    DECISION_PROPERTY,
    REQUEST_PROPERTY,
    handled_by_process,
    review_task,
    task_properties,
)
from engine.sla.services import decide_extension, notify_extension_requested, request_extension
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


def after_task_completes(session: Session, case: Case, item: WorkItem, extension: SlaExtension | None) -> None:
    """After the step of `item` ran: a request it asked (before_task_completes) is told to those who may
    work the process's review step (slaExtensionDecision), now open. If the process has not reached that
    step, the holders of its lane's role are told (its department is known only once it opens)."""
    if extension is None or extension.work_item_id != item.id or extension.status != ExtensionStatus.PENDING \
            or not handled_by_process(session, extension):
        return
    review = review_task(session, extension)
    if review is not None:
        deciders = recipients_for_item(session, review)
    else:
        deciders = sorted({username for role in _decision_lane_roles(session, case)
                           for username in users_with_role(session, role)})
    notify_extension_requested(session, case, extension, deciders)


def _decision_lane_roles(session: Session, case: Case) -> set[str]:
    """The lane roles of the process's steps that decide extension requests (property slaExtensionDecision)."""
    spec = runtime_for(session, case.process_version_id).parsed.spec
    return {lane for task_spec in spec.task_specs.values()
            if (lane := getattr(task_spec, "lane", None)) and spiff_properties(task_spec).get(DECISION_PROPERTY)}
