"""validate refuses a parallel join that waits for a flow which only comes after it (SpiffWorkflow issue
#341: a parallel gateway used as a loop's merge point), and accepts joins of one split, also inside loops; it
refuses a multi-instance task that runs again in a loop without its output list emptied on the way back."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException

from engine.config import PROJECT_ROOT
from engine.definitions.flow_checks import check_flows
from tests.core.test_multi_instance_join import Case, _finish_co_handling, process_xml

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="t"><bpmn:process id="p" isExecutable="true">')
TAIL = "</bpmn:process></bpmn:definitions>"


def _problems(body: str) -> list[str]:
    return [p.message for p in check_flows("processes/p.bpmn", etree.fromstring(HEAD + body + TAIL))]


def _flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in enumerate(pairs))


def test_a_parallel_gateway_merging_a_loop_is_refused_naming_the_late_flow() -> None:
    body = ('<bpmn:startEvent id="start"/><bpmn:parallelGateway id="merge" name="汇合"/>'
            '<bpmn:userTask id="work"/><bpmn:exclusiveGateway id="again"/><bpmn:endEvent id="end"/>'
            + _flows(("start", "merge"), ("merge", "work"), ("work", "again"), ("again", "merge"), ("again", "end")))
    problems = _problems(body)
    assert len(problems) == 1
    assert "parallel gateway '汇合' waits for the flow from 'again'" in problems[0]


def test_a_split_and_join_inside_a_loop_is_accepted() -> None:
    body = ('<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="loop"/><bpmn:parallelGateway id="split"/>'
            '<bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:parallelGateway id="join"/>'
            '<bpmn:exclusiveGateway id="again"/><bpmn:endEvent id="end"/>'
            + _flows(("start", "loop"), ("loop", "split"), ("split", "a"), ("split", "b"), ("a", "join"),
                     ("b", "join"), ("join", "again"), ("again", "loop"), ("again", "end")))
    assert _problems(body) == []


def test_a_join_inside_a_subprocess_is_checked_within_it() -> None:
    body = ('<bpmn:startEvent id="start"/><bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/>'
            '<bpmn:parallelGateway id="merge"/><bpmn:userTask id="w"/><bpmn:exclusiveGateway id="x"/>'
            '<bpmn:endEvent id="e2"/>'
            + _flows(("s2", "merge"), ("merge", "w"), ("w", "x"), ("x", "merge"), ("x", "e2"))
            + '</bpmn:subProcess><bpmn:endEvent id="end"/>'
            + '<bpmn:sequenceFlow id="o1" sourceRef="start" targetRef="sub"/>'
            + '<bpmn:sequenceFlow id="o2" sourceRef="sub" targetRef="end"/>')
    assert len(_problems(body)) == 1


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "processes").glob("*.bpmn")), ids=lambda p: p.name)
def test_every_shipped_process_joins_only_what_it_split(path: Path) -> None:
    assert [p.message for p in check_flows(path.name, etree.parse(str(path)).getroot())] == []


# -- a multi-instance task in a loop must find its output list empty each time it starts -------------------
def _looped_assist(reset_script: str | None = None) -> str:
    """The co-handling process whose verify step loops back to the split; `reset_script` runs on the way back."""
    xml = process_xml(looped=True)
    if reset_script is None:
        return xml
    return (xml.replace('<bpmn:sequenceFlow id="f_again" sourceRef="again" targetRef="merge">',
                        '<bpmn:scriptTask id="reset"><bpmn:script>' + reset_script + '</bpmn:script></bpmn:scriptTask>'
                        '<bpmn:sequenceFlow id="f_reset" sourceRef="reset" targetRef="merge"/>'
                        '<bpmn:sequenceFlow id="f_again" sourceRef="again" targetRef="reset">'))


def _flow_problems(xml: str) -> list[str]:
    return [p.message for p in check_flows("processes/co_handling.bpmn", etree.fromstring(xml.encode()))]


def test_the_engine_cannot_run_a_multi_instance_task_again_while_its_output_list_is_full() -> None:
    # What the rule below is for: on the second pass SpiffWorkflow refuses to start the instances.
    case = Case(_looped_assist(), ["a", "b"], other_process=False)
    _finish_co_handling(case, lead_first=True)
    [verify] = case.ready()
    with pytest.raises(WorkflowDataException, match="output must be empty"):
        case.complete(verify, passes=1)


def test_a_multi_instance_task_in_a_loop_whose_output_list_is_not_emptied_is_refused() -> None:
    problems = _flow_problems(_looped_assist())
    assert problems == [
        "multi-instance task 'assist' can run again in a loop while its output list 'reports' still holds the "
        "results of the previous pass; the engine cannot add to a list that is not empty, so the case would stop "
        "there. Empty it on the way back, e.g. a script task or preScript with reports = []"]


@pytest.mark.parametrize("reset", ["reports = []", "passes = passes\nreports = list()", "reports = {}"])
def test_a_multi_instance_task_in_a_loop_is_accepted_when_a_script_on_the_way_back_empties_its_output(
        reset: str) -> None:
    assert _flow_problems(_looped_assist(reset)) == []


def test_emptying_another_list_on_the_way_back_does_not_count() -> None:
    assert len(_flow_problems(_looped_assist("report_list = []"))) == 1


def test_a_multi_instance_task_outside_any_loop_needs_no_reset() -> None:
    assert _flow_problems(process_xml()) == []
