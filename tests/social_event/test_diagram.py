"""processes/social_event.bpmn carries a complete diagram, so bpmn-js can show where a case stands."""
from __future__ import annotations

from lxml import etree

from engine.config import PROJECT_ROOT

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}
ROOT = etree.parse(str(PROJECT_ROOT / "processes" / "social_event.bpmn")).getroot()
FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "businessRuleTask", "exclusiveGateway",
              "parallelGateway", "intermediateThrowEvent", "intermediateCatchEvent")


def test_every_flow_node_and_lane_has_a_shape_inside_its_lane_and_every_flow_an_edge() -> None:
    shapes = {s.get("bpmnElement"): s.find("dc:Bounds", NS) for s in ROOT.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e.findall("di:waypoint", NS) for e in ROOT.iterfind(".//bpmndi:BPMNEdge", NS)}
    lanes = {lane.get("id"): {ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
             for lane in ROOT.iterfind(".//bpmn:lane", NS)}
    nodes = [n.get("id") for kind in FLOW_NODES for n in ROOT.iterfind(f".//bpmn:{kind}", NS)]
    assert len(nodes) >= 30 and set(nodes) <= set(shapes)
    assert set(lanes) <= set(shapes) and set(nodes) == set().union(*lanes.values())
    for lane_id, members in lanes.items():
        lane = shapes[lane_id]
        top, bottom = float(lane.get("y")), float(lane.get("y")) + float(lane.get("height"))
        for node in members:
            box = shapes[node]
            centre = float(box.get("y")) + float(box.get("height")) / 2
            assert top <= centre <= bottom, (node, lane_id)
    for flow in ROOT.iterfind(".//bpmn:sequenceFlow", NS):
        assert len(edges[flow.get("id")]) >= 2, flow.get("id")
