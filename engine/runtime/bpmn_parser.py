"""Run casegrid decision tables from BPMN business rule tasks in SpiffWorkflow.

Three pieces replace SpiffWorkflow's own DMN handling:

- ``CasegridBpmnParser`` parses ``<bpmn:businessRuleTask>`` into ``CasegridBusinessRuleTask``,
  which only remembers ``spiffworkflow:calledDecisionId``; no DMN file is handed to the parser.
- At run time the task finds the table in a ``DecisionRegistry``: the workflow's script engine
  attribute ``decision_registry`` if set, else the registry bound with ``use_decisions``.  Both
  are set by the runtime when it loads a case, so they survive serialization untouched.
- ``serializer_config()`` adds a converter that stores only the decision id, so a serialized
  workflow never carries (or pins) a copy of the table.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import EventBasedGatewayParser
from SpiffWorkflow.bpmn.parser.task_parsers import GatewayParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.defaults import EventBasedGateway, ParallelGateway
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask

from engine.decisions.errors import DecisionEvaluationError
from engine.decisions.model import DecisionTable, Rule
from engine.decisions.registry import DecisionRegistry
from engine.errors import CasegridError, NotFound
from engine.runtime.gateways import CasegridEventBasedGateway, CasegridParallelGateway

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

_bound_registry: ContextVar[DecisionRegistry | None] = ContextVar("casegrid_decisions", default=None)


@contextmanager
def use_decisions(registry: DecisionRegistry) -> Iterator[DecisionRegistry]:
    """Make ``registry`` the one business rule tasks use while the block runs (thread/async safe)."""
    token = _bound_registry.set(registry)
    try:
        yield registry
    finally:
        _bound_registry.reset(token)


def registry_for(workflow: Any) -> DecisionRegistry:
    """The registry for a running workflow: its script engine's, else the bound one."""
    registry = getattr(getattr(workflow, "script_engine", None), "decision_registry", None)
    if registry is None:
        registry = _bound_registry.get()
    if registry is None:
        raise DecisionEvaluationError(
            "no decision registry: set script_engine.decision_registry or run inside use_decisions()"
        )
    return registry


def merge_result(data: dict[str, Any], table: DecisionTable, result: Any, rule: Rule | None = None) -> None:
    """Put a decision's result into task data.

    A single-result table's outputs become variables (all None when no rule matched, so a stale
    value from an earlier pass never survives), and so does the winning ``rule``'s entry in each
    named annotation column, as ``<decision id>_<column name>`` (why the table answered so: the
    routing basis a dispatcher reads); a list goes under the decision id; an aggregated value
    goes under its output name.
    """
    if table.hit_policy.single_result:
        data.update(result if result is not None else dict.fromkeys(table.output_names))
        annotations = table.rule_annotations(rule) if rule is not None else {}
        for name in filter(None, table.annotation_names):
            data[annotation_key(table, name)] = annotations.get(name) or None
    elif table.aggregation is not None:
        data[table.output_names[0]] = result
    else:
        data[table.id] = result


def annotation_key(table: DecisionTable, column: str) -> str:
    """The task data name of a single-result table's annotation column (``se_routing_basis``)."""
    return f"{table.id}_{column}"


class CasegridBusinessRuleTask(SpiffBpmnTask):
    """A business rule task that evaluates a casegrid decision, looked up by id when it runs."""

    def __init__(self, wf_spec: Any, name: str, decision_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, name, **kwargs)
        self.decision_id = decision_id

    def _run_hook(self, my_task: Any) -> bool:
        try:
            table = registry_for(my_task.workflow).get(self.decision_id)
        except NotFound as exc:
            raise DecisionEvaluationError(
                f"business rule task '{self.bpmn_name or self.bpmn_id}': {exc.message}", self.decision_id
            ) from exc
        try:
            result, rule = table.evaluate_with_rule(my_task.data)
        except CasegridError as exc:
            exc.add_note(f"in business rule task '{self.bpmn_name or self.bpmn_id}'")
            raise
        merge_result(my_task.data, table, result, rule)
        return super()._run_hook(my_task)


class CasegridBusinessRuleTaskParser(SpiffTaskParser):
    def create_task(self) -> CasegridBusinessRuleTask:
        decision_id = self.get_decision_ref(self.node)
        if not decision_id:
            raise ValidationException(
                "business rule task has no spiffworkflow:calledDecisionId", node=self.node, file_name=self.filename
            )
        known = getattr(self.process_parser.parser, "known_decisions", None)
        if known is not None and decision_id not in known:
            raise ValidationException(
                f"decision '{decision_id}' is not deployed (known: {', '.join(sorted(known)) or 'none'})",
                node=self.node,
                file_name=self.filename,
            )
        extensions = self.parse_extensions()
        return CasegridBusinessRuleTask(
            self.spec,
            self.bpmn_id,
            decision_id=decision_id,
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )

    @staticmethod
    def get_decision_ref(node: Any) -> str | None:
        # Also used by BpmnDmnParser._find_dependencies, hence static.
        return SpiffTaskParser._parse_extensions(node).get("calledDecisionId")


class CasegridBpmnParser(SpiffBpmnParser):
    """SpiffBpmnParser whose business rule tasks reference casegrid decisions by id.

    Pass ``decisions`` (ids, or a DecisionRegistry) to reject a diagram that calls a decision
    the deployment does not contain; without it any id is accepted and checked at run time.
    """

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (CasegridBusinessRuleTaskParser, CasegridBusinessRuleTask),
        full_tag("parallelGateway"): (GatewayParser, CasegridParallelGateway),
        full_tag("eventBasedGateway"): (EventBasedGatewayParser, CasegridEventBasedGateway),
    }

    def __init__(
        self,
        namespaces: Mapping[str, str] | None = None,
        validator: Any = None,
        decisions: Iterable[str] | DecisionRegistry | None = None,
    ) -> None:
        super().__init__(namespaces, validator)
        if isinstance(decisions, DecisionRegistry):
            decisions = decisions.ids()
        self.known_decisions: set[str] | None = set(decisions) if decisions is not None else None


class CasegridBusinessRuleTaskConverter(SpiffBpmnTaskConverter):
    """Serializes the decision id only; the table comes from the version's registry on load."""

    def to_dict(self, spec: CasegridBusinessRuleTask) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct["decision_id"] = spec.decision_id
        return dct


def casegrid_parser_class() -> type[CasegridBpmnParser]:
    return CasegridBpmnParser


def serializer_config(base: Mapping[type, type] | None = None) -> dict[type, type]:
    """SPIFF_CONFIG (or ``base``) plus the converter for CasegridBusinessRuleTask."""
    config = dict(base if base is not None else SPIFF_CONFIG)
    config[CasegridBusinessRuleTask] = CasegridBusinessRuleTaskConverter
    # The gateways only change how they run; they convert as SpiffWorkflow's own (comparing versions).
    config[CasegridParallelGateway] = config[ParallelGateway]
    config[CasegridEventBasedGateway] = config[EventBasedGateway]
    return config


def make_serializer(base: Mapping[type, type] | None = None) -> BpmnWorkflowSerializer:
    """A BpmnWorkflowSerializer that understands casegrid business rule tasks."""
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(serializer_config(base)))
