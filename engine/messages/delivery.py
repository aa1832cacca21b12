"""Deliver a message to the waiting catch events of one case and advance it (one persist per case)."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.cases.service import get_case, load_workflow_of, persist
from engine.errors import Conflict
from engine.forms.filling import Filler
from engine.runtime.errors import advancing
from engine.runtime.projection import snapshot
from engine.runtime.stepping import run_until_wait
from engine.runtime.subscriptions import message_members
from engine.store.models.cases import Case
from engine.store.models.messages import MessageSubscription
from engine.store.statuses import CaseStatus


def deliver_to_case(
    session: Session, case_id: int, subscriptions: list[MessageSubscription], payload: dict[str, Any],
    actor: str, lang: str = "zh", source: str | None = None,
) -> Case:
    """Hand `payload` to each subscribed catch event of the case, run to the next wait, persist.

    A payload is validated against the catch event's form when it names one (422, nothing changed).
    """
    case = get_case(session, case_id, with_state=True)
    if case.status != CaseStatus.RUNNING:
        raise Conflict(f"case {case.business_key} is {case.status}, not running")
    runtime, workflow = load_workflow_of(session, case)
    before = snapshot(workflow)
    caught: list[str] = []
    with advancing(f"case {case.business_key}, message '{subscriptions[0].message_name}'"):
        for sub in subscriptions:
            task = workflow.get_task_from_id(UUID(sub.spiff_task_id))
            # An event gateway cancels its other branches once one message arrives: skip those.
            if task is None or task.state != TaskState.WAITING:
                continue
            definition = next((d for d, _spec in message_members(task) if d.name == sub.message_name), None)
            if definition is None:
                raise Conflict(f"case {case.business_key} no longer waits for '{sub.message_name}' here")
            form = runtime.form(sub.form_key)
            cleaned = form.validate_submission(payload, lang=lang, filler=Filler.MESSAGE) \
                if form is not None else dict(payload)
            # Catch this one task, not every task of the case waiting for the name (SpiffWorkflow's
            # workflow.catch would wake all parallel branches, e.g. every agency of an incident).
            task.task_spec.catch(task, BpmnEvent(definition, payload=cleaned,
                                                 correlations=dict(workflow.correlations)))
            task.task_spec._update(task)
            caught.append(task.task_spec.bpmn_name or task.task_spec.bpmn_id or sub.task_spec)
        run_until_wait(workflow)
    if not caught:
        raise Conflict(f"case {case.business_key} no longer waits for '{subscriptions[0].message_name}'")
    record(session, actor=actor, action="message_received", case_id=case.id,
           task_name=", ".join(caught)[:300],
           details={"message": subscriptions[0].message_name, "correlation": subscriptions[0].correlation,
                    "payload": payload, "from": source,
                    # The form it was answered through: the case record labels the answers with it.
                    "form": subscriptions[0].form_key})
    persist(session, case, workflow, actor, before)
    return case
