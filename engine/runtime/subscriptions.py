"""Project the message events a workflow waits for onto ``message_subscriptions`` rows.

Called by ``engine.cases.service.persist`` with the snapshot taken when the workflow was loaded, so
only what changed is written and nothing is queried back.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine import sandbox
from engine.runtime.correlation import correlation_key
from engine.runtime.parsing import spiff_properties
from engine.store.models.cases import Case
from engine.store.models.messages import MessageSubscription

# Catch event properties casegrid reads (docs/families.md):
CORRELATION_PROPERTY = "correlation"  # expression over task data -> dict the message must carry
FORM_PROPERTY = "formKey"  # form the message payload is validated against


def message_members(task: Task) -> list[tuple[MessageEventDefinition, Any]]:
    """(message definition, spec carrying its properties) for each message the waiting task catches.

    An event-based gateway waits itself, holding its branches' definitions in order of its outputs;
    the properties (formKey, correlation) are on the branch's catch event.
    """
    return spec_message_members(task.task_spec)


def spec_message_members(task_spec: Any) -> list[tuple[MessageEventDefinition, Any]]:
    """message_members of a task spec, whether or not a task of it waits now."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MessageEventDefinition):
        return [(definition, task_spec)]
    if isinstance(definition, MultipleEventDefinition):
        outputs = list(task_spec.outputs)
        return [(member, outputs[index] if index < len(outputs) else task_spec)
                for index, member in enumerate(definition.event_definitions)
                if isinstance(member, MessageEventDefinition)]
    return []


def waiting_message_tasks(workflow: BpmnWorkflow) -> dict[str, Task]:
    """spiff task id -> task, for every waiting task that catches a message (boundary, intermediate,
    event-based gateway)."""
    return {str(task.id): task for task in workflow.event_manager.tasks.values() if message_members(task)}


def waiting_message_ids(workflow: BpmnWorkflow) -> frozenset[str]:
    return frozenset(waiting_message_tasks(workflow))


def correlation_of(spec: Any, data: dict[str, Any]) -> dict[str, Any]:
    expression = spiff_properties(spec).get(CORRELATION_PROPERTY)
    if not expression:
        return {}
    value = sandbox.evaluate(expression, data)
    if not isinstance(value, dict):
        raise TypeError(f"correlation of '{spec.bpmn_id}' must be a dict, got {type(value).__name__}")
    return value


def subscriptions_for(case: Case, task: Task) -> list[MessageSubscription]:
    made = []
    for definition, spec in message_members(task):
        correlation = correlation_of(spec, task.data)
        made.append(MessageSubscription(
            case_id=case.id, spiff_task_id=str(task.id), task_spec=spec.name, message_name=definition.name,
            correlation=correlation, correlation_key=correlation_key(correlation),
            form_key=spiff_properties(spec).get(FORM_PROPERTY)))
    return made


def sync_subscriptions(session: Session, case: Case, workflow: BpmnWorkflow, before: frozenset[str]) -> None:
    waiting = waiting_message_tasks(workflow) if not workflow.is_completed() else {}
    gone = [task_id for task_id in before if task_id not in waiting]
    if gone:
        session.execute(delete(MessageSubscription).where(
            MessageSubscription.case_id == case.id, MessageSubscription.spiff_task_id.in_(gone)))
    for task_id, task in waiting.items():
        if task_id not in before:
            session.add_all(subscriptions_for(case, task))


def drop_subscriptions(session: Session, case_id: int) -> None:
    """A cancelled case waits for nothing."""
    session.execute(delete(MessageSubscription).where(MessageSubscription.case_id == case_id))
