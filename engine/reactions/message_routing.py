"""Messages a case throws that no catch event inside it took: to the case waiting for them, else start one.

The payload is SpiffWorkflow's: the throw event's ``spiffworkflow:messagePayload`` expression (the
receiving catch event stores it in its ``spiffworkflow:messageVariable``). A throw event may declare
the property ``correlation``, an expression evaluated against that payload giving a dict; the
receiving catch event must have declared the same correlation.

When no running case waits, a deployed process whose start event has the property
``message`` = the message name is started with the payload as start data (validated by its start
form, whose fields marked ``ui:filledBy: message`` only such a payload fills) and the two cases are
linked. A message nobody takes is an error: the throwing step fails and nothing is changed, rather
than losing the message.
"""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import sandbox
from engine.audit.service import record
from engine.cases.links import link_cases
from engine.cases.service import start_case
from engine.definitions.versions import VersionRuntime, runtime_for
from engine.forms.filling import Filler
from engine.messages.errors import NoWaitingCase
from engine.messages.service import deliver_all, waiting_subscriptions
from engine.org.access import Actor
from engine.runtime.parsing import spiff_properties
from engine.runtime.reactions import StepResult
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion

START_MESSAGE_PROPERTY = "message"


def _throwing_spec(runtime: VersionRuntime, definition: Any) -> Any | None:
    # The thrown event carries the spec's own definition object; find the spec that owns it.
    specs = [runtime.parsed.spec, *runtime.parsed.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "event_definition", None) is definition:
                return task_spec
    return None


def _evaluate_dict(props: dict[str, str], name: str, data: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    expression = props.get(name)
    if not expression:
        return default
    value = sandbox.evaluate(expression, data)
    if not isinstance(value, dict):
        raise TypeError(f"message {name} must be a dict, got {type(value).__name__}")
    return value


def processes_started_by(session: Session, message_name: str) -> list[str]:
    """Process keys whose latest version starts on this message (read from parsed specs, cached)."""
    latest = select(ProcessVersion.process_key, func.max(ProcessVersion.id)).group_by(ProcessVersion.process_key)
    keys = []
    for process_key, version_id in session.execute(latest).all():
        runtime = runtime_for(session, version_id)
        for task_spec in runtime.parsed.spec.task_specs.values():
            if type(task_spec).__name__ == "StartEvent" and \
                    spiff_properties(task_spec).get(START_MESSAGE_PROPERTY) == message_name:
                keys.append(process_key)
                break
    return sorted(keys)


def route_thrown(session: Session, source: Case, events: list[Any], actor: str) -> None:
    runtime = runtime_for(session, source.process_version_id)
    for event in events:
        definition = event.event_definition
        if not isinstance(definition, MessageEventDefinition):
            continue
        name = definition.name
        task_spec = _throwing_spec(runtime, definition)
        props = spiff_properties(task_spec) if task_spec is not None else {}
        payload = event.payload if isinstance(event.payload, dict) else {"value": event.payload}
        correlation = _evaluate_dict(props, "correlation", payload, {})
        record(session, actor=actor, action="message_sent", case_id=source.id,
               task_name=(task_spec.bpmn_name if task_spec is not None else None),
               details={"message": name, "correlation": correlation, "payload": payload})
        targets = waiting_subscriptions(session, name, correlation, exclude_case=source.id)
        if targets:
            deliver_all(session, targets, payload, actor, source=source.business_key)
            continue
        starters = processes_started_by(session, name)
        if not starters:
            raise NoWaitingCase(
                f"case {source.business_key} sent message '{name}' but no case waits for it"
                + (f" with correlation {correlation}" if correlation else "") + " and no process starts on it",
                key="message.nobody_waits",
                params={"step": (task_spec.bpmn_name if task_spec is not None else None) or name,
                        "addressed": "、".join(str(v) for v in correlation.values()) or name})
        for process_key in starters:
            started = start_case(session, process_key, payload, Actor(actor), filler=Filler.MESSAGE)
            link_cases(session, source, started, name, actor)


def route_on_step(session: Session, result: StepResult) -> None:
    """Reaction: messages a step threw that no catch event inside its case took."""
    if result.thrown:
        route_thrown(session, result.case, list(result.thrown), result.actor)
