"""The graph of one process or subprocess: its flow nodes, sequence flows and lanes."""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.layout.elements import CONTAINERS, FLOW_NODES, NS, local


@dataclass
class Graph:
    nodes: list[str]                        # flow nodes that get a column, document order
    tags: dict[str, str]                    # every flow node, boundary events too
    names: dict[str, str]
    hosts: dict[str, str]                   # boundary event -> the activity it is attached to
    flows: list[tuple[str, str, str, str]]  # id, source, target, name
    lanes: list[tuple[str, list[str]]]      # lane id, its members (boundary events follow their host)
    containers: list[etree._Element]
    defaults: dict[str, str] = field(default_factory=dict)  # node -> its default flow

    def owner(self, node: str) -> str:
        return self.hosts.get(node, node)


def read_graph(container: etree._Element) -> Graph:
    tags: dict[str, str] = {}
    names: dict[str, str] = {}
    hosts: dict[str, str] = {}
    nodes: list[str] = []
    containers: list[etree._Element] = []
    for child in container:
        tag = local(child)
        if tag not in FLOW_NODES:
            continue
        node = child.get("id")
        tags[node] = tag
        names[node] = (child.get("name") or "").strip()
        if tag == "boundaryEvent":
            hosts[node] = child.get("attachedToRef")
        else:
            nodes.append(node)
        if tag in CONTAINERS and any(local(c) in FLOW_NODES for c in child):
            containers.append(child)
    hosts = {b: h for b, h in hosts.items() if h in tags}
    flows = [(f.get("id"), f.get("sourceRef"), f.get("targetRef"), (f.get("name") or "").strip())
             for f in container.iterfind("bpmn:sequenceFlow", NS)
             if f.get("sourceRef") in tags and f.get("targetRef") in tags]
    lanes: list[tuple[str, list[str]]] = []
    placed: set[str] = set()
    # Nested lanes are drawn as their leaves: deeper lane sets are rare in the files analysts write.
    for lane in container.iterfind("bpmn:laneSet//bpmn:lane", NS):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue
        refs = [r.text.strip() for r in lane.iterfind("bpmn:flowNodeRef", NS) if r.text and r.text.strip() in tags]
        members = [n for n in refs if n not in hosts and n not in placed]
        placed.update(members)
        lanes.append((lane.get("id"), members))
    loose = [n for n in nodes if n not in placed]
    if loose:
        if lanes:
            lanes[-1][1].extend(loose)
        else:
            lanes.append(("", loose))
    order = {n: i for i, n in enumerate(nodes)}
    for _, members in lanes:
        members.sort(key=order.__getitem__)
    defaults = {c.get("id"): c.get("default") for c in container if c.get("default")}
    return Graph(nodes, tags, names, hosts, flows, lanes, containers, defaults)
