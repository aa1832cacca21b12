"""Deploy-time check of SLA policies against the processes of the same bundle."""
from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from engine.errors import Problem
from engine.sla.policy import policies_from_files

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _element_ids(xml: str, process_key: str) -> set[str] | None:
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None  # the BPMN check already reports it
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") == process_key:
            return {el.get("id") for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
    return None


def check_sla_policies(files: Mapping[str, str], process_paths: Mapping[str, str]) -> list[Problem]:
    """Problems of rules/sla/*.yaml: format, duplicates, and tasks that the named process lacks.

    ``process_paths`` maps each process key of the bundle to its BPMN file path."""
    policies, problems = policies_from_files(dict(files))
    for policy in policies:
        path = process_paths.get(policy.process)
        if path is None:
            problems.append(Problem(policy.path, policy.key, f"no process '{policy.process}' in the definitions"))
            continue
        ids = _element_ids(files[path], policy.process)
        if ids is None:
            continue
        wanted = [policy.task]
        if policy.clock_start.startswith("task:"):
            wanted.append(policy.clock_start.removeprefix("task:"))
        for element in wanted:
            if element not in ids:
                problems.append(Problem(policy.path, policy.key,
                                        f"process '{policy.process}' has no element '{element}'"))
    return problems
