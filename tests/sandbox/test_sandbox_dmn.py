"""DMN decision tables evaluate through the sandbox too (business rule tasks)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.sandbox import SandboxedScriptEngine, describe_workflow_error

FIXTURES = Path(__file__).parent / "fixtures"


def run_grading(dmn_file: str, data: dict[str, Any]) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(FIXTURES / "grade.bpmn"))
    parser.add_dmn_file(str(FIXTURES / dmn_file))
    workflow = BpmnWorkflow(parser.get_spec("grade"), script_engine=SandboxedScriptEngine())
    # The root's data is inherited by the start event and everything after it.
    workflow.task_tree.data.update(data)
    workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize(
    ("casualties", "category", "grade"),
    [(12, "fire", "I"), (1, "gas", "III"), (0, "noise", "IV")],
)
def test_decision_table_cells_with_operators_and_helpers_work(casualties: int, category: str, grade: str) -> None:
    workflow = run_grading("grade.dmn", {"casualties": casualties, "category": category})
    assert workflow.is_completed()
    assert workflow.last_task.data["grade"] == grade


def test_malicious_decision_cell_is_refused_naming_the_task() -> None:
    with pytest.raises(WorkflowTaskException) as info:
        run_grading("grade_malicious.dmn", {"casualties": 12, "category": "fire"})
    message = describe_workflow_error(info.value)
    assert message.startswith("task 'Grade' (grade_task): sandbox refused:")
    assert "__import__" in message
