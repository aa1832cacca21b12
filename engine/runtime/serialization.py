"""Serialise workflow state without its spec: the spec is stored once per version, not once per case."""
from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.runtime.bpmn_parser import serializer_config
from engine.runtime.parsing import ParsedProcess

_current_spec: ContextVar[ParsedProcess | None] = ContextVar("casegrid_current_spec", default=None)


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's converter, but the spec comes from the deployed version, not the state."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        parsed = _current_spec.get()
        if parsed is None:
            raise RuntimeError("workflow state restored without its process version's spec")
        workflow = self.target_class(parsed.spec, parsed.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _build_serializer() -> BpmnWorkflowSerializer:
    # Business rule tasks store only their decision id; the table comes from the deployment.
    config = serializer_config(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    return BpmnWorkflowSerializer(registry)


_serializer = _build_serializer()


def spec_registry() -> Any:
    """The converter registry that turns task specs into dicts (comparing two versions' elements)."""
    return _serializer.registry


def dump_workflow(workflow: BpmnWorkflow) -> str:
    # Encoder mode defers non-JSON values (dates) to the registry's encoder, as serialize_json does.
    _serializer.registry._encoder_mode = True
    try:
        dct = _serializer.to_dict(workflow)
    finally:
        _serializer.registry._encoder_mode = False
    dct[_serializer.VERSION_KEY] = _serializer.VERSION
    return json.dumps(dct, separators=(",", ":"), ensure_ascii=False, cls=_serializer._encoder_cls)


def load_workflow(state: str, parsed: ParsedProcess) -> BpmnWorkflow:
    token = _current_spec.set(parsed)
    try:
        dct = json.loads(state, cls=_serializer.json_decoder_cls)
        _serializer.migrate(dct)
        return _serializer.from_dict(dct)
    finally:
        _current_spec.reset(token)
