"""Project the message events a workflow waits for onto ``message_subscriptions`` rows.

Called by ``engine.cases.service.persist`` with the snapshot taken when the workflow was loaded, so
only what changed is written and nothing is queried back.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine import sandbox
from engine.cases.models import Case
from engine.messages.correlation import correlation_key
from engine.messages.models import MessageSubscription
from engine.runtime.parsing import spiff_properties

# Catch event properties casegrid reads (docs/families.md):
CORRELATION_PROPERTY = "correlation"  # expression over task data -> dict the message must carry
FORM_PROPERTY = "formKey"  # form the message payload is validated against


def waiting_message_tasks(workflow: BpmnWorkflow) -> dict[str, Task]:
    """spiff task id -> task, for every message catch event (boundary, intermediate, gateway branch)."""
    return {str(task.id): task for task in workflow.event_manager.tasks.values()
            if isinstance(getattr(task.task_spec, "event_definition", None), MessageEventDefinition)}


def waiting_message_ids(workflow: BpmnWorkflow) -> frozenset[str]:
    return frozenset(waiting_message_tasks(workflow))


def correlation_of(task: Task) -> dict[str, Any]:
    expression = spiff_properties(task.task_spec).get(CORRELATION_PROPERTY)
    if not expression:
        return {}
    value = sandbox.evaluate(expression, task.data)
    if not isinstance(value, dict):
        raise TypeError(f"correlation of '{task.task_spec.bpmn_id}' must be a dict, got {type(value).__name__}")
    return value


def subscription_for(case: Case, task: Task) -> MessageSubscription:
    correlation = correlation_of(task)
    return MessageSubscription(
        case_id=case.id, spiff_task_id=str(task.id), task_spec=task.task_spec.name,
        message_name=task.task_spec.event_definition.name, correlation=correlation,
        correlation_key=correlation_key(correlation),
        form_key=spiff_properties(task.task_spec).get(FORM_PROPERTY),
    )


def sync_subscriptions(session: Session, case: Case, workflow: BpmnWorkflow, before: frozenset[str]) -> None:
    waiting = waiting_message_tasks(workflow) if not workflow.is_completed() else {}
    gone = [task_id for task_id in before if task_id not in waiting]
    if gone:
        session.execute(delete(MessageSubscription).where(
            MessageSubscription.case_id == case.id, MessageSubscription.spiff_task_id.in_(gone)))
    for task_id, task in waiting.items():
        if task_id not in before:
            session.add(subscription_for(case, task))


def drop_subscriptions(session: Session, case_id: int) -> None:
    """A cancelled case waits for nothing."""
    session.execute(delete(MessageSubscription).where(MessageSubscription.case_id == case_id))
