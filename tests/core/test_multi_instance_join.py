"""A multi-instance user task on one branch of a parallel split joins the other branch and the case goes on.

Production loads a case's workflow from its row, often in another process than the one that created the
task's instances (another web worker, the timer worker, the CLI, a restart): each step here parses the
process anew and restores the workflow from its serialised state, as such a process does.
"""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.runtime.parsing import ParsedProcess, parse_process
from engine.runtime.serialization import dump_workflow, load_workflow
from engine.runtime.stepping import run_until_wait


def _loop(sequential: bool, cardinality: bool) -> str:
    flag = ' isSequential="true"' if sequential else ""
    if cardinality:
        return (f"<bpmn:multiInstanceLoopCharacteristics{flag}><bpmn:loopCardinality>len(units)</bpmn:loopCardinality>"
                "</bpmn:multiInstanceLoopCharacteristics>")
    return (f'<bpmn:multiInstanceLoopCharacteristics{flag} spiffworkflow:scriptsOnInstances="true">'
            "<bpmn:loopDataInputRef>units</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>reports</bpmn:loopDataOutputRef>"
            '<bpmn:inputDataItem id="unit" name="unit" /><bpmn:outputDataItem id="report" name="report" />'
            "</bpmn:multiInstanceLoopCharacteristics>")


def process_xml(sequential: bool = False, cardinality: bool = False, looped: bool = False) -> str:
    """split -> (lead | assist x N) -> join -> verify; `looped` sends verify back to the split until passes == 2."""
    entry = "merge" if looped else "split"
    loop_back = (
        '<bpmn:exclusiveGateway id="merge"><bpmn:incoming>f_start</bpmn:incoming><bpmn:incoming>f_again</bpmn:incoming>'
        '<bpmn:outgoing>f_merged</bpmn:outgoing></bpmn:exclusiveGateway>'
        '<bpmn:sequenceFlow id="f_merged" sourceRef="merge" targetRef="split" />'
        '<bpmn:exclusiveGateway id="again" default="f_done"><bpmn:incoming>f_verified</bpmn:incoming>'
        '<bpmn:outgoing>f_again</bpmn:outgoing><bpmn:outgoing>f_done</bpmn:outgoing></bpmn:exclusiveGateway>'
        '<bpmn:sequenceFlow id="f_verified" sourceRef="verify" targetRef="again" />'
        '<bpmn:sequenceFlow id="f_again" sourceRef="again" targetRef="merge">'
        "<bpmn:conditionExpression>passes &lt; 2</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_done" sourceRef="again" targetRef="end" />'
    ) if looped else '<bpmn:sequenceFlow id="f_verified" sourceRef="verify" targetRef="end" />'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://casegrid.example/test">
  <bpmn:process id="co_handling" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="{entry}" />
    <bpmn:parallelGateway id="split"><bpmn:incoming>{"f_merged" if looped else "f_start"}</bpmn:incoming>
      <bpmn:outgoing>f_lead</bpmn:outgoing><bpmn:outgoing>f_assist</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="lead"><bpmn:incoming>f_lead</bpmn:incoming><bpmn:outgoing>f_lead_done</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="assist"><bpmn:incoming>f_assist</bpmn:incoming><bpmn:outgoing>f_assist_done</bpmn:outgoing>
      {_loop(sequential, cardinality)}</bpmn:userTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>f_lead_done</bpmn:incoming><bpmn:incoming>f_assist_done</bpmn:incoming>
      <bpmn:outgoing>f_joined</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="verify"><bpmn:incoming>f_joined</bpmn:incoming><bpmn:outgoing>f_verified</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>{"f_done" if looped else "f_verified"}</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_lead" sourceRef="split" targetRef="lead" />
    <bpmn:sequenceFlow id="f_assist" sourceRef="split" targetRef="assist" />
    <bpmn:sequenceFlow id="f_lead_done" sourceRef="lead" targetRef="join" />
    <bpmn:sequenceFlow id="f_assist_done" sourceRef="assist" targetRef="join" />
    <bpmn:sequenceFlow id="f_joined" sourceRef="join" targetRef="verify" />
    {loop_back}
  </bpmn:process>
</bpmn:definitions>"""


class Case:
    """One case's workflow, saved after every step and, with `other_process`, restored from the saved text
    under a freshly parsed spec, as a process that did not run the previous step does."""

    def __init__(self, xml: str, units: list[str], other_process: bool) -> None:
        self.xml, self.other_process = xml, other_process
        self.parsed = self._parse()
        self.workflow = BpmnWorkflow(self.parsed.spec, self.parsed.subprocess_specs)
        self.workflow.get_tasks(state=TaskState.READY)[0].data.update(units=units, passes=0)
        self._step()

    def _parse(self) -> ParsedProcess:
        return parse_process((("co_handling.bpmn", self.xml),), "co_handling")

    def _step(self) -> None:
        run_until_wait(self.workflow)
        state = dump_workflow(self.workflow)
        if self.other_process:
            self.parsed = self._parse()
        self.workflow = load_workflow(state, self.parsed)

    def ready(self) -> list[Task]:
        return [t for t in self.workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]

    def names(self) -> list[str]:
        return sorted(t.task_spec.name for t in self.ready())

    def complete(self, task: Task, **data: object) -> None:
        task.data.update(data)
        task.run()
        self._step()


def _finish_co_handling(case: Case, lead_first: bool) -> None:
    """Complete the lead's task and every assisting instance, the lead first or last."""
    while True:
        ready = case.ready()
        lead = [t for t in ready if t.task_spec.name == "lead"]
        assists = [t for t in ready if t.task_spec.name == "assist [child]"]
        if not lead and not assists:
            return
        if lead and (lead_first or not assists):
            case.complete(lead[0])
        else:
            task = assists[0]
            case.complete(task, report=f"done by {task.data.get('unit')}")


@pytest.mark.parametrize("other_process", [False, True], ids=["same-process", "other-process"])
@pytest.mark.parametrize("sequential", [False, True], ids=["parallel-mi", "sequential-mi"])
@pytest.mark.parametrize("units", [["a"], ["a", "b"], ["a", "b", "c"]], ids=["1", "2", "3"])
@pytest.mark.parametrize("lead_first", [True, False], ids=["lead-first", "lead-last"])
def test_a_multi_instance_branch_joins_the_lead_branch_in_either_order(
        lead_first: bool, units: list[str], sequential: bool, other_process: bool) -> None:
    case = Case(process_xml(sequential=sequential), units, other_process)
    opened = ["assist [child]"] * (1 if sequential else len(units))
    assert case.names() == sorted(["lead", *opened])
    _finish_co_handling(case, lead_first)
    assert case.names() == ["verify"], "the join must fire once the lead and every instance are done"
    [verify] = case.ready()
    assert sorted(verify.data["reports"]) == [f"done by {u}" for u in units]


@pytest.mark.parametrize("other_process", [False, True], ids=["same-process", "other-process"])
def test_a_multi_instance_task_counted_by_cardinality_joins_too(other_process: bool) -> None:
    case = Case(process_xml(cardinality=True), ["a", "b"], other_process)
    _finish_co_handling(case, lead_first=False)
    assert case.names() == ["verify"]


@pytest.mark.parametrize("other_process", [False, True], ids=["same-process", "other-process"])
def test_no_assisting_instance_leaves_only_the_lead_branch_to_join(other_process: bool) -> None:
    case = Case(process_xml(), [], other_process)
    assert case.names() == ["lead"]
    case.complete(case.ready()[0])
    assert case.names() == ["verify"]


@pytest.mark.parametrize("other_process", [False, True], ids=["same-process", "other-process"])
def test_split_and_join_inside_a_loop_join_again_on_the_next_pass(other_process: bool) -> None:
    case = Case(process_xml(looped=True), ["a", "b"], other_process)
    for passes in (1, 2):
        _finish_co_handling(case, lead_first=passes == 1)
        [verify] = case.ready()
        assert verify.task_spec.name == "verify"
        # A pass's reports are collected afresh: the output list must be empty when the task starts again.
        case.complete(verify, passes=passes, reports=[])
    assert case.workflow.is_completed()
