"""Turn BPMN XML into SpiffWorkflow specs; parsed specs are cached per deployed process version."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.runtime.bpmn_parser import casegrid_parser_class


@dataclass(frozen=True)
class ParsedProcess:
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]


def make_parser() -> SpiffBpmnParser:
    """SpiffWorkflow's parser with casegrid's business rule tasks (our DMN engine, not Spiff's).

    VALIDATOR is built once at import: loading the BPMN XSD costs more than parsing a diagram.
    Missing decisions are reported by casegrid's own validation, so the parser is not told the ids.
    """
    return casegrid_parser_class()(validator=VALIDATOR)


def parse_process(bpmn_files: tuple[tuple[str, str], ...], process_key: str) -> ParsedProcess:
    """Parse `process_key` from the given (filename, xml) pairs (call activities may span files)."""
    parser = make_parser()
    for filename, xml in bpmn_files:
        parser.add_bpmn_xml(etree.fromstring(xml.encode("utf-8")), filename=filename)
    spec = parser.get_spec(process_key)
    subprocess_specs = parser.get_subprocess_specs(process_key)
    for process_spec in (spec, *subprocess_specs.values()):
        connect_loop_merges(process_spec)
    return ParsedProcess(spec=spec, subprocess_specs=subprocess_specs)


def connect_loop_merges(process_spec: BpmnProcessSpec) -> None:
    """Let every loop or multi-instance task hear its instances complete, from the moment it is parsed.

    SpiffWorkflow hooks a loop task's merge (collect the instance's output; once the last instance is
    done, make the task ready) onto the instance spec only when it creates instances, or when its own
    serializer restores the spec. casegrid restores state under a spec parsed from the deployed diagram,
    so in any process other than the one that created the instances (another web worker, the timer
    worker, the CLI, a restart) the merge was never hooked: the last instance completed, the loop task
    stayed STARTED for ever, and the parallel join after it never fired (the case showed no open task).
    """
    for task_spec in process_spec.task_specs.values():
        if not isinstance(task_spec, LoopTask):
            continue
        instance_spec = process_spec.task_specs[task_spec.task_spec]
        if not instance_spec.completed_event.is_connected(task_spec.merge_child):
            instance_spec.completed_event.connect(task_spec.merge_child)


def process_ids(xml: str) -> list[str]:
    root = etree.fromstring(xml.encode("utf-8"))
    return [p.get("id") for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")]


def spiff_properties(task_spec: Any) -> dict[str, str]:
    extensions = getattr(task_spec, "extensions", None) or {}
    return dict(extensions.get("properties", {}) or {})
