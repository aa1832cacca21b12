"""Deploy-time check of SLA policies against the processes and decision tables of the same bundle."""
from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

from lxml import etree

from engine.errors import Problem
from engine.limits.policy import Policy, policies_from_files

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def _process(xml: str, process_key: str) -> etree._Element | None:
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None  # the BPMN check already reports it
    return next((p for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("id") == process_key), None)


def _elements(process: etree._Element) -> dict[str, etree._Element]:
    return {el.get("id"): el for el in process.iter() if isinstance(el.tag, str) and el.get("id")}


def _has_property(element: etree._Element, name: str) -> bool:
    return any(p.get("name") == name for p in element.iter(f"{{{SPIFF_NS}}}property"))


def _boundary_timers(process: etree._Element, task: str) -> list[etree._Element]:
    """The timer boundary events attached to `task` (they fire on a date of their own, not the clock's)."""
    return [el for el in process.iter(f"{{{BPMN_NS}}}boundaryEvent") if el.get("attachedToRef") == task
            and el.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None]


def _check_extendable(policy: Policy, process: etree._Element, elements: dict[str, etree._Element]) -> list[Problem]:
    """An extension must move every date that depends on the limit. A task that asks for more time in its own
    form (slaExtensionRequest) needs an extendable limit; a generic extension on an extendable limit moves the
    clock only, so a timer attached to the task (deemed acceptance on the old date) contradicts it — unless the
    process models the extension itself and opens the task anew (its timers then read the new date)."""
    problems: list[Problem] = []
    for task in (t for t in policy.tasks if t in elements):
        asks_in_form = _has_property(elements[task], "slaExtensionRequest")
        if asks_in_form and not policy.extendable:
            problems.append(Problem(policy.path, policy.key,
                                    f"task '{task}' asks for extensions in its form (slaExtensionRequest), but the "
                                    "policy's limit is not extendable: add `extendable: true` or remove the property",
                                    key="policy.extension_not_allowed", params={"task": task}))
        if policy.extendable and not asks_in_form:
            for timer in _boundary_timers(process, task):
                problems.append(Problem(policy.path, policy.key,
                                        f"extendable: true, but task '{task}' has the timer '{timer.get('name') or timer.get('id')}', "
                                        "which an approved extension would not move: set `extendable: false`, or "
                                        "model the extension in the process (slaExtensionRequest)",
                                        key="policy.extension_leaves_timer",
                                        params={"task": task, "timer": timer.get("name") or timer.get("id")}))
    return problems


def _called_decisions(process: etree._Element) -> set[str]:
    return {(el.text or "").strip() for el in process.iter(f"{{{SPIFF_NS}}}calledDecisionId")}


def _decision_outputs(files: Mapping[str, str]) -> dict[str, set[str]]:
    """decision id -> output names, over every DMN file of the bundle."""
    found: dict[str, set[str]] = {}
    for path, text in files.items():
        if not path.endswith(".dmn"):
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue  # the DMN check reports it
        # Any DMN version's namespace: only the element names matter here.
        for decision in root.iter("{*}decision"):
            found[decision.get("id")] = {o.get("name") for o in decision.iter("{*}output") if o.get("name")}
    return found


def _assigns(process: etree._Element, key: str) -> bool:
    """Whether a script of the process assigns `key` (a clock_start data:<key> must be set by the process)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=[^=]", re.MULTILINE)
    scripts = [el.text or "" for el in process.iter() if isinstance(el.tag, str)
               and etree.QName(el).localname in ("script", "preScript", "postScript")]
    return any(pattern.search(text) for text in scripts)


def _check_data_sources(policy: Policy, process: etree._Element, outputs: dict[str, set[str]]) -> list[Problem]:
    problems: list[Problem] = []
    called = _called_decisions(process)
    # A table whose file cannot be read declares nothing to check against; that file (or the missing
    # decision) has its own problem line.
    if policy.limit_from is not None and all(decision in outputs for decision in called):
        given = set().union(*(outputs[d] for d in called))
        # A dotted path (review.review_days) reads a row the process built from the table's output.
        keys = [policy.limit_from.value_key, policy.limit_from.unit_key]
        for path in (k for k in keys if k is not None):
            key = path.rsplit(".", 1)[-1]
            if key not in given:
                problems.append(Problem(policy.path, policy.key,
                                        f"limit_from names '{key}', which no decision table that process "
                                        f"'{policy.process}' calls has as an output", key="policy.limit_from_no_output", params={"data_key": key, "policy_process": policy.process}))
    start_key = policy.start_data_key
    if start_key is not None and not _assigns(process, start_key):
        problems.append(Problem(policy.path, policy.key,
                                f"clock_start data:{start_key}: no script of process '{policy.process}' sets it", key="policy.clock_start_unset", params={"data_key": start_key, "policy_process": policy.process}))
    return problems


def check_sla_policies(files: Mapping[str, str], process_paths: Mapping[str, str],
                       unchecked: AbstractSet[str] = frozenset()) -> list[Problem]:
    """Problems of rules/sla/*.yaml: format, duplicates, tasks that the named process lacks, limits read
    from data no decision gives, and a task that also sets its own `dueAt` (two competing deadlines).

    ``process_paths`` maps each process key of the bundle to its BPMN file path; a policy of a process in
    ``unchecked`` (its file has problems of its own, already reported) is not checked against it."""
    policies, problems = policies_from_files(dict(files))
    outputs = _decision_outputs(files)
    for policy in policies:
        path = process_paths.get(policy.process)
        if path is None and policy.process in unchecked:
            continue
        if path is None:
            problems.append(Problem(policy.path, policy.key, f"no process '{policy.process}' in the definitions", key="policy.unknown_process", params={"policy_process": policy.process}))
            continue
        process = _process(files[path], policy.process)
        if process is None:
            continue
        elements = _elements(process)
        wanted = list(policy.tasks)
        if policy.clock_start.startswith("task:"):
            wanted.append(policy.clock_start.removeprefix("task:"))
        for element in wanted:
            if element not in elements:
                problems.append(Problem(policy.path, policy.key,
                                        f"process '{policy.process}' has no element '{element}'", key="policy.unknown_element", params={"policy_process": policy.process, "element": element}))
        for task in policy.tasks:
            if task in elements and _has_property(elements[task], "dueAt"):
                problems.append(Problem(policy.path, policy.key,
                                        f"task '{task}' also sets its own deadline (property dueAt); the policy's "
                                        "clock sets the work item's due time, remove dueAt", key="policy.task_due_at", params={"task": task}))
        problems.extend(_check_extendable(policy, process, elements))
        problems.extend(_check_data_sources(policy, process, outputs))
    return problems
