"""validate refuses a parallel join that waits for a flow which only comes after it (SpiffWorkflow issue
#341: a parallel gateway used as a loop's merge point), and accepts joins of one split, also inside loops."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.definitions.flow_checks import check_flows

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
