"""Business rule tasks evaluate casegrid tables and survive serialization as a decision id."""
from __future__ import annotations

import json
from typing import Any

import pytest
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.util.task import TaskState

from engine.decisions import DecisionEvaluationError, DecisionRegistry
from engine.runtime.bpmn_parser import (
    CasegridBusinessRuleTask,
    casegrid_parser_class,
    make_serializer,
    use_decisions,
)
from engine.sandbox import SandboxedScriptEngine

from .dmn_builder import FIXTURES, fixture

CASE = {"case": {"category": "illegal_structure", "street": "Nanhu"}}


@pytest.fixture
def registry() -> DecisionRegistry:
    return DecisionRegistry.from_sources([(fixture("route_department.dmn"), "routing.dmn")])


def start_workflow(decisions: Any = None, script_engine: Any = None) -> BpmnWorkflow:
    parser = casegrid_parser_class()(decisions=decisions)
    parser.add_bpmn_file(str(FIXTURES / "route_case.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("route_case"), script_engine=script_engine)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(json.loads(json.dumps(CASE)))
    return workflow


def handle_task(workflow: BpmnWorkflow) -> Any:
    (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert task.task_spec.bpmn_id == "handle"
    return task


def test_parser_builds_casegrid_tasks_without_any_dmn_file(registry: DecisionRegistry) -> None:
    # With SpiffWorkflow's schema validator on, as the deploy path should run it.
    parser = casegrid_parser_class()(validator=VALIDATOR, decisions=registry)
    parser.add_bpmn_file(str(FIXTURES / "route_case.bpmn"))
    spec = parser.get_spec("route_case")
    route = spec.task_specs["route"]
    assert isinstance(route, CasegridBusinessRuleTask) and route.decision_id == "route_department"


def test_parser_given_the_deployed_decisions_rejects_a_call_to_an_unknown_one() -> None:
    parser = casegrid_parser_class()(decisions=["route_department"])
    parser.add_bpmn_file(str(FIXTURES / "route_case.bpmn"))
    with pytest.raises(ValidationException, match="decision 'notify_agencies' is not deployed"):
        parser.get_spec("route_case")


def test_business_rule_task_merges_a_single_result_into_task_data(registry: DecisionRegistry) -> None:
    workflow = start_workflow()
    with use_decisions(registry):
        workflow.do_engine_steps()
    data = handle_task(workflow).data
    assert data["department"] == "urban_management" and data["limit_hours"] == 4


def test_registry_can_ride_on_the_script_engine_instead_of_a_context_variable(registry: DecisionRegistry) -> None:
    engine = SandboxedScriptEngine()
    engine.decision_registry = registry  # type: ignore[attr-defined]
    workflow = start_workflow(script_engine=engine)
    workflow.do_engine_steps()
    assert handle_task(workflow).data["department"] == "urban_management"


def test_workflow_serializes_with_the_decision_id_only_and_continues_after_restore(
    registry: DecisionRegistry,
) -> None:
    serializer = make_serializer()
    workflow = start_workflow()
    with use_decisions(registry):
        workflow.do_engine_steps()
    dumped = serializer.serialize_json(workflow)

    specs = json.loads(dumped)["spec"]["task_specs"]
    assert specs["route"]["typename"] == "CasegridBusinessRuleTask"
    assert specs["route"]["decision_id"] == "route_department"
    assert "decision_table" not in specs["route"]
    assert "structure_dongmen" not in dumped and "inputEntry" not in dumped  # no table inside

    restored = serializer.deserialize_json(dumped)
    task = handle_task(restored)
    task.run()
    with use_decisions(registry):
        restored.do_engine_steps()
    assert restored.is_completed()
    assert restored.data["notify_agencies"] == [{"agency": "district_supervision_centre"}]
    assert restored.data["department"] == "urban_management"


def test_running_without_a_registry_is_a_clear_error() -> None:
    workflow = start_workflow()
    with pytest.raises(DecisionEvaluationError, match="no decision registry"):
        workflow.do_engine_steps()


def test_evaluation_errors_surface_as_decision_errors_naming_the_task(registry: DecisionRegistry) -> None:
    workflow = start_workflow()
    workflow.get_tasks(state=TaskState.READY)[0].data["case"]["street"] = "Mars"
    with use_decisions(registry), pytest.raises(DecisionEvaluationError) as err:
        workflow.do_engine_steps()
    assert "in business rule task 'Route to department'" in err.value.__notes__


def test_no_matching_rule_sets_every_output_to_none_rather_than_keeping_stale_values() -> None:
    # Without the street enumeration the gap check does not apply, so "Nanhu" can fall through.
    source = (
        fixture("route_department.dmn")
        .replace(b'<inputValues><text>"Dongmen","Huangbei","Nanhu"</text></inputValues>', b"")
        .replace(b'not("Dongmen")', b'"Huangbei"')
    )
    registry = DecisionRegistry.from_sources([(source, "routing.dmn")])
    workflow = start_workflow()
    workflow.get_tasks(state=TaskState.READY)[0].data["department"] = "stale"
    with use_decisions(registry):
        workflow.do_engine_steps()
    data = handle_task(workflow).data
    assert data["department"] is None and data["limit_hours"] is None
