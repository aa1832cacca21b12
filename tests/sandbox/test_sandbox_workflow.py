"""The sandbox inside real SpiffWorkflow runs: script tasks, gateway conditions, error reporting."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import TaskDataEnvironment
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import SandboxViolation
from engine.sandbox import SandboxedScriptEngine, describe_workflow_error

FIXTURES = Path(__file__).parent / "fixtures"

REPORT = {
    "reported_severity": "2",
    "extra_flags": ["night"],
    "tags": ["gas", "leak"],
    "received_on": "2024-09-30",
    "category": "safety",
}


def start(process_id: str, bpmn_file: str, script_override: str | None = None) -> BpmnWorkflow:
    """A workflow waiting at its 'Report' user task."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FIXTURES / bpmn_file))
    spec = parser.get_spec(process_id)
    if script_override is not None:
        spec.task_specs["register_task"].script = script_override
    workflow = BpmnWorkflow(spec, script_engine=SandboxedScriptEngine())
    workflow.do_engine_steps()
    return workflow


def submit_report(workflow: BpmnWorkflow, data: dict[str, Any]) -> None:
    report = workflow.get_next_task(state=TaskState.READY, manual=True)
    assert report is not None and report.task_spec.bpmn_id == "report_task"
    report.data.update(data)
    report.run()


def register_task(workflow: BpmnWorkflow) -> Any:
    return workflow.get_next_task(spec_name="register_task")


def test_good_script_writes_task_data_and_gateway_takes_the_urgent_branch() -> None:
    workflow = start("triage", "triage.bpmn")
    submit_report(workflow, REPORT)
    workflow.do_engine_steps()
    assert workflow.is_completed()
    data = workflow.last_task.data
    assert data["severity"] == 3
    assert data["extra_flags"] == ["night", "registered"]
    assert data["tags"] == ["GAS", "LEAK"]
    assert data["due_on"] == "2024-10-03"
    assert data["summary"] == "safety/3"
    assert data["route"] == "urgent"


def test_gateway_default_branch_when_condition_is_false() -> None:
    workflow = start("triage", "triage.bpmn")
    submit_report(workflow, {**REPORT, "extra_flags": [], "reported_severity": "1"})
    workflow.do_engine_steps()
    assert workflow.is_completed()
    assert workflow.last_task.data["route"] == "normal"


def test_malicious_script_task_is_refused_naming_the_task() -> None:
    workflow = start("triage_malicious", "triage_malicious.bpmn")
    submit_report(workflow, REPORT)
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert isinstance(info.value.__cause__, SandboxViolation)
    message = describe_workflow_error(info.value)
    assert message.startswith("task 'Register' (register_task): sandbox refused: import is not allowed")
    assert "\n" not in message


def test_refused_script_leaves_task_data_unchanged_and_workflow_not_advanced() -> None:
    workflow = start("triage_malicious", "triage_malicious.bpmn")
    submit_report(workflow, REPORT)
    with pytest.raises(WorkflowTaskException):
        workflow.do_engine_steps()
    task = register_task(workflow)
    assert task.data == REPORT
    assert not task.has_state(TaskState.COMPLETED)
    assert not workflow.is_completed()
    assert workflow.get_next_task(spec_name="urgent_gateway").state != TaskState.COMPLETED


def test_run_time_refusal_after_assignments_leaves_task_data_unchanged() -> None:
    # The first lines run and would have changed data; the refusal comes later.
    script = "severity = 99\nextra_flags.append('tampered')\ndef f():\n    pass\nf.x = 1\n"
    workflow = start("triage", "triage.bpmn", script_override=script)
    submit_report(workflow, REPORT)
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert describe_workflow_error(info.value) == (
        "task 'Register' (register_task): sandbox refused: changing a function object is not allowed (line 5)"
    )
    assert register_task(workflow).data == REPORT


def test_malicious_gateway_condition_is_refused_naming_the_gateway() -> None:
    workflow = start("triage", "triage.bpmn")
    condition, _target = workflow.spec.task_specs["urgent_gateway"].cond_task_specs[0]
    condition.args = ["().__class__.__base__"]
    submit_report(workflow, REPORT)
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    message = describe_workflow_error(info.value)
    assert message.startswith("task 'Urgent?' (urgent_gateway): sandbox refused:")
    assert "__class__" in message


def test_ordinary_script_error_is_described_with_the_task() -> None:
    workflow = start("triage", "triage.bpmn", script_override="x = 1 / 0")
    submit_report(workflow, REPORT)
    with pytest.raises(WorkflowTaskException) as info:
        workflow.do_engine_steps()
    assert describe_workflow_error(info.value) == "task 'Register' (register_task): ZeroDivisionError: division by zero"


def test_validate_refuses_at_deploy_time_and_keeps_syntax_errors_for_dmn() -> None:
    engine = SandboxedScriptEngine()
    engine.validate("severity > 3")
    with pytest.raises(SandboxViolation):
        engine.validate("__import__('os')")
    with pytest.raises(SyntaxError):
        engine.validate("> 3")


def test_engine_refuses_an_unsandboxed_environment() -> None:
    with pytest.raises(TypeError):
        SandboxedScriptEngine(environment=TaskDataEnvironment())  # type: ignore[arg-type]


def test_environment_globals_are_callable_but_not_overwritable_by_data() -> None:
    engine = SandboxedScriptEngine(environment_globals={"department_of": lambda code: f"dept-{code}"})
    assert engine.environment.evaluate("department_of(category)", {"category": "gas"}) == "dept-gas"
    with pytest.raises(ValueError, match="overwrites a predefined"):
        engine.environment.execute("x = 1", {"department_of": "oops"})
