"""Checks on BPMN files that SpiffWorkflow's parser does not make: names that must resolve elsewhere."""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.flow_checks import check_flows
from engine.definitions.names import NAME_EN, english_name_problem
from engine.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}

# Task properties whose values are expressions evaluated against case data at run time.
# What a user task may declare its open step means for the case (engine.cases.display_status).
TASK_CASE_STATUSES = frozenset({"awaiting_registration"})

EXPRESSION_PROPERTIES = ("department", "gridCell", "candidateUsers", "dueAt", "title",
                         "slaExtensionRequest", "slaExtensionDecision")


@dataclass(frozen=True)
class References:
    forms: set[str]
    decisions: set[str]
    lane_codes: set[str]
    role_codes: set[str] = field(default_factory=set)
    # False when the organisation file cannot be read: lanes and starters are then not checked against it.
    org_known: bool = True
    # Roles the organisation declares may decide_extensions (engine.org.abilities).
    deciding_roles: set[str] = field(default_factory=set)
    # Every process id a call activity may name (None: not checked).
    processes: set[str] | None = None


def properties_of(element: etree._Element) -> dict[str, str]:
    props = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in props}


def _label(element: etree._Element) -> str:
    return element.get("id") or etree.QName(element).localname


def check_bpmn(
    path: str,
    root: etree._Element,
    refs: References,
    syntax_error: Callable[[str, str], str | None],
) -> Iterator[Problem]:
    """Yields problems; `syntax_error(source, mode)` returns why an expression is refused, or None."""
    for task in root.iter(f"{{{BPMN}}}userTask"):
        form_key = properties_of(task).get("formKey")
        if not form_key:
            yield Problem(path, _label(task), "user task names no form (spiffworkflow property formKey)",
                          key="task.no_form")
        elif form_key not in refs.forms:
            yield Problem(path, _label(task), f"user task names form '{form_key}', which does not exist in forms/",
                          key="task.unknown_form", params={"form": form_key})
    for task in root.iter(f"{{{BPMN}}}userTask"):
        return_with = properties_of(task).get("returnWith")
        if return_with is not None and not _is_json_object(return_with):
            yield Problem(path, _label(task), "property returnWith must be a JSON object of form data",
                          key="task.return_with_not_object")
    for task in root.iter(f"{{{BPMN}}}userTask"):
        declared = properties_of(task).get("caseStatus")
        if declared is not None and declared not in TASK_CASE_STATUSES:
            yield Problem(path, _label(task), f"property caseStatus must be one of {', '.join(sorted(TASK_CASE_STATUSES))}, "
                          f"not '{declared}'", key="task.case_status_unknown",
                          params={"value": declared, "allowed": sorted(TASK_CASE_STATUSES)})
    for element in root.iter(f"{{{BPMN}}}*"):
        english = properties_of(element).get(NAME_EN)
        if english_name_problem(english):
            yield Problem(path, _label(element), f"property {NAME_EN} is the English name people read in English: "
                          f"write it in English, not '{english}'", key="name_en.not_english",
                          params={"value": english})
    for start in root.iter(f"{{{BPMN}}}startEvent"):
        form_key = properties_of(start).get("formKey")
        if form_key and form_key not in refs.forms:
            yield Problem(path, _label(start), f"start event names form '{form_key}', which does not exist in forms/",
                          key="start.unknown_form", params={"form": form_key})
        yield from _starters(path, start, refs)
    for task in root.iter(f"{{{BPMN}}}businessRuleTask"):
        called = task.xpath("string(./bpmn:extensionElements/spiffworkflow:calledDecisionId)", namespaces=NS).strip()
        if not called:
            yield Problem(path, _label(task), "business rule task names no decision (spiffworkflow:calledDecisionId)",
                          key="task.no_decision")
        elif called not in refs.decisions:
            yield Problem(path, _label(task), f"business rule task names decision '{called}', which no DMN file in rules/ "
                          "defines", key="task.unknown_decision", params={"decision": called})
    for lane in root.iter(f"{{{BPMN}}}lane"):
        name = (lane.get("name") or "").strip()
        if refs.org_known and name not in refs.lane_codes:
            yield Problem(path, _label(lane), f"lane '{name}' is not a role or department of the organisation",
                          key="lane.unknown", params={"lane": name})
    yield from _extension_deciders(path, root, refs)
    yield from check_flows(path, root)
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        for condition in flow.iter(f"{{{BPMN}}}conditionExpression"):
            yield from _expression(path, flow, condition.text or "", "eval", syntax_error)
    for script in root.iter(f"{{{BPMN}}}script"):
        yield from _expression(path, script.getparent(), script.text or "", "exec", syntax_error)
    for timer in root.iter(f"{{{BPMN}}}timerEventDefinition"):
        for expression in timer:
            yield from _expression(path, timer.getparent(), expression.text or "", "eval", syntax_error)
            yield from _timer_literal(path, timer.getparent(), expression)
    yield from _multi_instances(path, root)
    yield from _message_events(path, root)
    if refs.processes is not None:
        for call in root.iter(f"{{{BPMN}}}callActivity"):
            called = (call.get("calledElement") or "").strip()
            if not called:
                yield Problem(path, _label(call), "call activity names no process (calledElement)",
                              key="call.no_process")
            elif called not in refs.processes:
                yield Problem(path, _label(call), f"call activity names process '{called}', which no diagram defines",
                              key="call.unknown_process", params={"called": called})
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        props = properties_of(element)
        for name in EXPRESSION_PROPERTIES:
            if props.get(name):
                yield from _expression(path, element, props[name], "eval", syntax_error, name)


# ISO 8601 as timers read a literal: a duration (P3D, PT2H), a date-time, a cycle (R3/PT1H).
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_CYCLE = re.compile(r"^R\d*/(.+)$")


def _timer_literal_ok(kind: str, value: str) -> bool:
    from datetime import datetime

    def is_date(text: str) -> bool:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return False
        return True

    if kind == "timeDuration":
        return bool(_DURATION.match(value))
    if kind == "timeDate":
        return is_date(value)
    cycle = _CYCLE.match(value)
    return bool(cycle) and all(bool(_DURATION.match(part)) or is_date(part) for part in cycle.group(1).split("/"))


def _timer_literal(path: str, event: etree._Element, expression: etree._Element) -> Iterator[Problem]:
    """A timer written as a quoted literal ("P3D") must be an ISO 8601 duration, date-time or cycle."""
    kind = etree.QName(expression).localname
    try:
        value = ast.literal_eval((expression.text or "").strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return  # an expression over case data: read when the timer is set
    if isinstance(value, str) and not _timer_literal_ok(kind, value):
        yield Problem(path, _label(event), f"timer {kind} '{value}' is not an ISO 8601 "
                                           f"{'duration' if kind == 'timeDuration' else 'date-time' if kind == 'timeDate' else 'cycle'}",
                      key="timer.unreadable", params={"value": value, "timer_kind": kind})


def _multi_instances(path: str, root: etree._Element) -> Iterator[Problem]:
    """A multi-instance task names the list it runs over (or a count), and the variable each instance gets."""
    for loop in root.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
        task = loop.getparent()
        collection = loop.find(f"{{{BPMN}}}loopDataInputRef")
        cardinality = loop.find(f"{{{BPMN}}}loopCardinality")
        has_collection = collection is not None and (collection.text or "").strip()
        if not has_collection and (cardinality is None or not (cardinality.text or "").strip()):
            yield Problem(path, _label(task), "multi-instance task names no collection (loopDataInputRef) "
                                              "and no count (loopCardinality)", key="multi_instance.no_collection")
        elif has_collection and loop.find(f"{{{BPMN}}}inputDataItem") is None:
            yield Problem(path, _label(task), "multi-instance task names a collection but no element variable "
                                              "(inputDataItem)", key="multi_instance.no_element")


def _message_events(path: str, root: etree._Element) -> Iterator[Problem]:
    """A message event names a bpmn:message that has a name (what senders and subscriptions use)."""
    names = {m.get("id"): (m.get("name") or "").strip() for m in root.iter(f"{{{BPMN}}}message")}
    for definition in root.iter(f"{{{BPMN}}}messageEventDefinition"):
        event = definition.getparent()
        ref = definition.get("messageRef")
        if not ref:
            yield Problem(path, _label(event), "message event names no message", key="message.none")
        elif ref not in names:
            yield Problem(path, _label(event), f"message event names message '{ref}', which the file does not define",
                          key="message.unknown", params={"message": ref})
        elif not names[ref]:
            yield Problem(path, _label(event), f"message '{ref}' has no name", key="message.unnamed",
                          params={"message": ref})


def _extension_deciders(path: str, root: etree._Element, refs: References) -> Iterator[Problem]:
    """A task that decides extension requests sits in a lane whose role may decide them.

    Completing it decides the request, which only holders of a role declared to `may: decide_extensions`
    may do: in a lane of any other role the task is offered to people who are always refused, and the
    case waits on it for ever. A department lane may hold department heads, so it is not refused here."""
    lane_of = {ref.text.strip(): lane.get("name", "").strip()
               for lane in root.iter(f"{{{BPMN}}}lane")
               for ref in lane.iter(f"{{{BPMN}}}flowNodeRef") if ref.text}
    for task in root.iter(f"{{{BPMN}}}userTask"):
        if not properties_of(task).get("slaExtensionDecision"):
            continue
        lane = lane_of.get(task.get("id", ""))
        if lane in refs.role_codes and lane not in refs.deciding_roles:
            allowed = ", ".join(sorted(refs.deciding_roles)) or "none: no role of the organisation may decide_extensions"
            yield Problem(path, _label(task), f"decides extension requests (property slaExtensionDecision) but "
                                              f"sits in lane '{lane}', whose holders may not decide them "
                                              f"(may: decide_extensions in rules/organisation.yaml); "
                                              f"put it in a lane of {allowed}", key="extension.decider_lane",
                          params={"lane_role": lane, "allowed_roles": sorted(refs.deciding_roles)})


def _starters(path: str, start: etree._Element, refs: References) -> Iterator[Problem]:
    """`starters`: comma-separated role codes allowed to open a case (instead of the start lane's role)."""
    value = properties_of(start).get("starters")
    if value is None:
        return
    codes = [code.strip() for code in value.split(",")]
    if not any(codes) or "" in codes:
        yield Problem(path, _label(start), "property starters is a comma-separated list of role codes, "
                                           f"got '{value}'", key="starters.malformed", params={"value": value})
        return
    for code in codes:
        if refs.org_known and code not in refs.role_codes:
            yield Problem(path, _label(start), f"property starters names '{code}', which is not a role of the organisation",
                          key="starters.unknown_role", params={"role": code})


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def _expression(
    path: str,
    element: etree._Element,
    source: str,
    mode: str,
    syntax_error: Callable[[str, str], str | None],
    property_name: str | None = None,
) -> Iterator[Problem]:
    """The expression or script of an element, or of its property `property_name`, must compile."""
    prefix = f"property {property_name}: " if property_name else ""
    where = {"property": property_name} if property_name else {}
    if not source.strip():
        yield Problem(path, _label(element), f"{prefix}empty expression",
                      key="expression.property_empty" if property_name else "expression.empty", params=where)
        return
    reason = syntax_error(source.strip() if mode == "eval" else source, mode)
    if reason:
        yield Problem(path, _label(element), f"{prefix}{reason}",
                      key="expression.property_refused" if property_name else "expression.refused",
                      params={**where, "reason": reason})


def referenced_forms(root: etree._Element) -> set[str]:
    found = set()
    for element in root.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent"):
        form_key = properties_of(element).get("formKey")
        if form_key:
            found.add(form_key)
    return found


def referenced_decisions(root: etree._Element) -> set[str]:
    return {
        task.xpath("string(./bpmn:extensionElements/spiffworkflow:calledDecisionId)", namespaces=NS).strip()
        for task in root.iter(f"{{{BPMN}}}businessRuleTask")
    } - {""}
