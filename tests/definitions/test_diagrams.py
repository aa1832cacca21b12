"""Every shipped process carries a diagram bpmn-js can show and an analyst can read.

The diagrams of processes/ are drawn by `casegrid layout` (engine/definitions/layout.py), except
social_event.bpmn, which an analyst drew by hand; both are held to the same rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.definitions.layout import Box, check_diagram, relayout, semantic_model

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent",
              "userTask", "scriptTask", "serviceTask", "businessRuleTask", "task", "subProcess", "callActivity",
              "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")
PROCESSES = sorted((PROJECT_ROOT / "processes").glob("*.bpmn"))
HAND_DRAWN = {"social_event.bpmn"}
DRAWN_BY_THE_TOOL = [p for p in PROCESSES if p.name not in HAND_DRAWN]


@dataclass
class Container:
    """One process (in its participant) or subprocess, with the shapes and edges of the plane showing it."""
    name: str
    element: etree._Element
    participant: Box | None
    shapes: dict[str, Box]
    edges: dict[str, list[tuple[float, float]]]

    def nodes(self) -> list[etree._Element]:
        return [n for n in self.element if etree.QName(n).localname in FLOW_NODES]

    def lanes(self) -> dict[str, list[str]]:
        return {lane.get("id"): [r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)]
                for lane in self.element.iterfind("bpmn:laneSet/bpmn:lane", NS)}

    def flows(self) -> list[etree._Element]:
        return list(self.element.iterfind("bpmn:sequenceFlow", NS))


def bounds(element: etree._Element) -> Box:
    b = element.find("dc:Bounds", NS)
    return Box(*(float(b.get(k)) for k in ("x", "y", "width", "height")))


def containers(path: Path) -> list[Container]:
    root = etree.parse(str(path)).getroot()
    out = []
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        shapes = {s.get("bpmnElement"): bounds(s) for s in plane.iterfind("bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement"): [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind("di:waypoint", NS)]
                 for e in plane.iterfind("bpmndi:BPMNEdge", NS)}
        shown = root.find(f".//*[@id='{plane.get('bpmnElement')}']")
        if etree.QName(shown).localname == "collaboration":
            for participant in shown.iterfind("bpmn:participant", NS):
                process = root.find(f"bpmn:process[@id='{participant.get('processRef')}']", NS)
                out.append(Container(f"{path.name}:{process.get('id')}", process,
                                     shapes.get(participant.get("id")), shapes, edges))
        else:
            out.append(Container(f"{path.name}:{shown.get('id')}", shown, None, shapes, edges))
    return out


ALL = [c for path in PROCESSES for c in containers(path)]
GENERATED = [c for path in DRAWN_BY_THE_TOOL for c in containers(path)]


def on_border(box: Box, point: tuple[float, float]) -> bool:
    return box.on_border(*point, tolerance=1.0)


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.name)
def test_every_process_and_every_subprocess_content_is_shown_on_a_plane(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    shown = {c.element.get("id") for c in containers(path)}
    assert {p.get("id") for p in root.iterfind("bpmn:process", NS)} <= shown
    assert {s.get("id") for s in root.iterfind(".//bpmn:subProcess", NS)} <= shown


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.name)
def test_every_flow_node_and_lane_has_a_shape_and_every_process_its_participant(c: Container) -> None:
    root = c.element.getroottree().getroot()
    if root.find(f"bpmn:collaboration/bpmn:participant[@processRef='{c.element.get('id')}']", NS) is not None:
        assert c.participant is not None, "a process in a collaboration is drawn inside its participant"
    missing = [n.get("id") for n in c.nodes() if n.get("id") not in c.shapes]
    missing += [lane for lane in c.lanes() if lane not in c.shapes]
    assert not missing


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.name)
def test_every_node_lies_inside_its_lane_band_and_its_lanes_inside_the_participant(c: Container) -> None:
    for lane, members in c.lanes().items():
        band = c.shapes[lane]
        if c.participant is not None:
            assert c.participant.contains(band), lane
        for node in members:
            assert band.contains(c.shapes[node]), (node, lane)
    if c.participant is not None:
        for node in c.nodes():
            assert c.participant.contains(c.shapes[node.get("id")]), node.get("id")


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.name)
def test_no_two_nodes_overlap_except_a_boundary_event_and_its_host(c: Container) -> None:
    hosts = {n.get("id"): n.get("attachedToRef") for n in c.nodes() if n.get("attachedToRef")}
    ids = [n.get("id") for n in c.nodes()]
    overlapping = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                   if hosts.get(a) != b and hosts.get(b) != a and c.shapes[a].overlaps(c.shapes[b])]
    assert not overlapping


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.name)
def test_boundary_events_sit_on_their_hosts_border(c: Container) -> None:
    for node in c.nodes():
        if node.get("attachedToRef"):
            event = c.shapes[node.get("id")]
            assert on_border(c.shapes[node.get("attachedToRef")], (event.cx, event.cy)), node.get("id")


@pytest.mark.parametrize("c", ALL, ids=lambda c: c.name)
def test_every_sequence_flow_runs_orthogonally_from_its_sources_border_to_its_targets(c: Container) -> None:
    for flow in c.flows():
        points = c.edges[flow.get("id")]
        assert len(points) >= 2, flow.get("id")
        assert on_border(c.shapes[flow.get("sourceRef")], points[0]), flow.get("id")
        assert on_border(c.shapes[flow.get("targetRef")], points[-1]), flow.get("id")
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, (flow.get("id"), (x1, y1), (x2, y2))


@pytest.mark.parametrize("c", GENERATED, ids=lambda c: c.name)
def test_drawn_flows_never_cross_a_shape(c: Container) -> None:
    nodes = [n.get("id") for n in c.nodes()]
    for flow in c.flows():
        points = c.edges[flow.get("id")]
        crossed = [n for a, b in zip(points, points[1:], strict=False) for n in nodes if c.shapes[n].crossed_by(a, b)]
        assert not crossed, flow.get("id")


@pytest.mark.parametrize("c", GENERATED, ids=lambda c: c.name)
def test_named_events_gateways_and_flows_have_a_label_to_show_the_name(c: Container) -> None:
    root = c.element.getroottree().getroot()
    labelled = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNLabel/..", NS)}
    for element in [*c.nodes(), *c.flows()]:
        kind = etree.QName(element).localname
        if element.get("name") and ("Event" in kind or "Gateway" in kind or kind == "sequenceFlow"):
            assert element.get("id") in labelled, element.get("id")


def test_a_loop_comes_back_below_the_nodes_it_spans() -> None:
    (c,) = containers(PROJECT_ROOT / "processes" / "sample_loop.bpmn")
    again = c.edges["again"]
    lowest = max(c.shapes[n].bottom for n in ("inspect", "count_pass", "more"))
    assert [p[1] > lowest for p in again] == [False, True, True, False]
    assert again[0][1] == c.shapes["more"].bottom and again[-1][1] == c.shapes["inspect"].bottom


def test_a_boundary_events_flow_leaves_from_its_bottom() -> None:
    (c, _sub) = containers(PROJECT_ROOT / "processes" / "licensing.bpmn")
    event, points = c.shapes["deemed"], c.edges["f_deemed_s_deemed"]
    assert points[0] == (event.cx, event.bottom)


def test_subprocesses_are_drawn_collapsed_with_their_content_on_a_plane_of_their_own() -> None:
    root = etree.parse(str(PROJECT_ROOT / "processes" / "emergency_linkage.bpmn")).getroot()
    shape = root.find(".//bpmndi:BPMNShape[@bpmnElement='agency_response']", NS)
    assert shape.get("isExpanded") == "false"
    assert root.find(".//bpmndi:BPMNPlane[@bpmnElement='agency_response']", NS) is not None


@pytest.mark.parametrize("path", DRAWN_BY_THE_TOOL, ids=lambda p: p.name)
def test_the_shipped_diagram_is_what_the_tool_draws_so_drawing_again_changes_nothing(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert relayout(text)[0] == text


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.name)
def test_the_tool_leaves_everything_outside_the_diagram_as_it_was(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    drawn, _warnings = relayout(text)
    assert semantic_model(etree.fromstring(drawn.encode())) == semantic_model(etree.fromstring(text.encode()))
    outside = re.compile(r"\s*<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", re.S)
    assert outside.sub("", drawn) == outside.sub("", text)
    assert relayout(drawn)[0] == drawn
    assert check_diagram(etree.fromstring(drawn.encode())) == []


def test_a_file_without_a_diagram_or_its_namespaces_gets_both() -> None:
    text = (PROJECT_ROOT / "processes" / "hot_spot.bpmn").read_text(encoding="utf-8")
    bare = re.sub(r"\s*<bpmndi:BPMNDiagram.*</bpmndi:BPMNDiagram>", "", text, flags=re.S)
    bare = re.sub(r'\s*xmlns:(bpmndi|dc|di)="[^"]*"', "", bare)
    drawn, _ = relayout(bare)
    root = etree.fromstring(drawn.encode())
    assert check_diagram(root) == []
    assert semantic_model(root) == semantic_model(etree.fromstring(bare.encode()))
    assert root.nsmap["bpmndi"] == NS["bpmndi"] and root.find("bpmndi:BPMNDiagram", NS) is not None


def test_check_diagram_names_what_is_wrong_with_a_diagram() -> None:
    text = (PROJECT_ROOT / "processes" / "sample_loop.bpmn").read_text(encoding="utf-8")
    root = etree.fromstring(text.encode())
    inspect = root.find(".//bpmndi:BPMNShape[@bpmnElement='inspect']/dc:Bounds", NS)
    inspect.set("y", "-300")
    waypoint = root.find(".//bpmndi:BPMNEdge[@bpmnElement='f1']/di:waypoint", NS)
    waypoint.set("x", str(float(waypoint.get("x")) + 7))
    waypoint.set("y", str(float(waypoint.get("y")) + 7))
    lane = root.find(".//bpmndi:BPMNShape[@bpmnElement='lane_inspector']", NS)
    lane.getparent().remove(lane)
    problems = "\n".join(check_diagram(root))
    assert "lane lane_inspector has no shape" in problems
    assert "flow f2 does not end on the border of inspect" in problems
    assert "flow f1 does not start on the border of start" in problems
    assert "flow f1 has a slanted segment" in problems
    diagram = root.find("bpmndi:BPMNDiagram", NS)
    root.remove(diagram)
    assert check_diagram(root) == ["sample_loop: no diagram shows this process"]


def test_casegrid_layout_draws_a_copy_and_check_reports_an_unusable_diagram(cli, tmp_path: Path) -> None:
    source = (PROJECT_ROOT / "processes" / "licensing.bpmn").read_text(encoding="utf-8")
    broken = tmp_path / "licensing.bpmn"
    broken.write_text(source.replace('bpmnElement="lane_handler"', 'bpmnElement="lane_nobody"'), encoding="utf-8")
    checked = cli("layout", "--check", str(tmp_path))
    assert checked.returncode != 0 and "lane lane_handler has no shape" in checked.stderr
    assert "Traceback" not in checked.stderr
    drawn = cli("layout", str(broken))
    assert drawn.returncode == 0 and "laid out" in drawn.stdout
    assert broken.read_text(encoding="utf-8") == source
    assert cli("layout", "--check", str(broken)).returncode == 0


# Elements whose `name` is a code, not words: a lane names a role or department (shown by its Chinese name),
# a message is addressed by its name, a multi-instance data item is a variable.
NAMED_BY_CODE = ("lane", "message", "inputDataItem", "outputDataItem", "dataObject", "dataObjectReference")


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.name)
def test_every_name_an_analyst_or_user_reads_on_a_shipped_process_is_chinese(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    named = [(etree.QName(e).localname, e.get("id"), e.get("name")) for e in root.iter()
             if isinstance(e.tag, str) and e.get("name") and etree.QName(e).namespace == NS["bpmn"]
             and etree.QName(e).localname not in NAMED_BY_CODE]
    assert any(kind == "process" for kind, _id, _name in named)
    assert [(kind, id_, name) for kind, id_, name in named
            if re.search("[A-Za-z]", name) or not re.search("[\u4e00-\u9fff]", name)] == []
