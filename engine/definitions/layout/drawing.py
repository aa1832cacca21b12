"""The diagram's planes and what is on them, computed for a whole file.

One participant around everything; subprocesses are drawn collapsed, with their content on a plane of
their own (bpmn-js drills down).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.definitions.layout.channels import separate_channels
from engine.definitions.layout.elements import BPMN, CONTAINERS, EVENTS, GATEWAYS, NOT_DRAWN, NS, local
from engine.definitions.layout.geometry import CONTENT_PAD, LANE_LABEL, Box, Point, label_size
from engine.definitions.layout.graph import read_graph
from engine.definitions.layout.placement import place
from engine.definitions.layout.ranking import rank
from engine.definitions.layout.routing import Router, flow_label


@dataclass
class Shape:
    element: str
    box: Box
    attrs: dict[str, str] = field(default_factory=dict)
    label: Box | None = None


@dataclass
class Edge:
    element: str
    points: list[Point]
    label: Box | None = None


@dataclass
class Plane:
    element: str            # the collaboration, process or subprocess this plane shows
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


@dataclass
class Layout:
    planes: list[Plane]
    warnings: list[str]


def layout_container(container: etree._Element, x0: float, y0: float, plane: Plane) -> tuple[float, float]:
    """Draw one process or subprocess's content into `plane`, top-left at (x0, y0); returns width and height."""
    graph = read_graph(container)
    ranks, back = rank(graph)
    placed = place(graph, x0, y0, back, ranks)
    for lane_id, box in placed.lane_boxes:
        plane.shapes.append(Shape(lane_id, box, {"isHorizontal": "true"}))
    order = [*graph.nodes, *graph.hosts]
    for node in order:
        box = placed.boxes[node]
        tag = graph.tags[node]
        attrs: dict[str, str] = {}
        if tag == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        if tag in CONTAINERS:
            attrs["isExpanded"] = "false"
        label = None
        name = graph.names[node]
        if name and tag in EVENTS:
            w, h = label_size(name)
            if tag == "boundaryEvent":
                label = Box(round(box.cx + 6), round(box.bottom + 2), round(w), round(h))
            else:
                label = Box(round(box.cx - w / 2), round(box.bottom + 5), round(w), round(h))
        elif name and tag in GATEWAYS:
            w, h = label_size(name)
            label = Box(round(box.cx - 10 - w), round(box.y - h + 5), round(w), round(h))
        plane.shapes.append(Shape(node, box, attrs, label))
    router = Router(graph, placed, back)
    routes = [router.route(flow, source, target) for flow, source, target, _ in graph.flows]
    columns = sorted(placed.col_x)
    room = {router.gap_after(c): placed.gap[c] / 2 - 10 for c in columns}
    room[router.gap_before(columns[0])] = CONTENT_PAD / 2 - 8
    routes = separate_channels(graph.flows, routes, room)
    for (flow, source, _, name), points in zip(graph.flows, routes, strict=True):
        label = flow_label(points, name, graph.tags[source] in GATEWAYS) if name else None
        plane.edges.append(Edge(flow, points, label))
    return placed.width, placed.height


def compute_layout(root: etree._Element) -> Layout:
    warnings = [f"{local(e)} {e.get('id')} is not drawn" for e in root.iter()
                if isinstance(e.tag, str) and etree.QName(e).namespace == BPMN and local(e) in NOT_DRAWN]
    processes = {p.get("id"): p for p in root.iterfind("bpmn:process", NS)}
    collaboration = root.find("bpmn:collaboration", NS)
    planes: list[Plane] = []
    participants = [] if collaboration is None else [
        p for p in collaboration.iterfind("bpmn:participant", NS) if p.get("processRef") in processes]
    if participants:
        assert collaboration is not None
        main = Plane(collaboration.get("id"))
        warnings += [f"messageFlow {m.get('id')} is not drawn" for m in collaboration.iterfind("bpmn:messageFlow", NS)]
        y = 20.0
        drawn: list[etree._Element] = []
        for participant in participants:
            process = processes[participant.get("processRef")]
            shape = Shape(participant.get("id"), Box(20, y, 0, 0), {"isHorizontal": "true"})
            main.shapes.append(shape)
            width, height = layout_container(process, 20 + LANE_LABEL, y, main)
            shape.box = Box(20, y, width + LANE_LABEL, height)
            y += height + 40
            drawn.append(process)
        planes.append(main)
    else:
        drawn = list(processes.values())[:1]
        warnings += [f"process {p.get('id')} is not drawn: one plane shows one process"
                     for p in list(processes.values())[1:]]
        if drawn:
            main = Plane(drawn[0].get("id"))
            layout_container(drawn[0], 20, 20, main)
            planes.append(main)
    pending = [c for process in drawn for c in read_graph(process).containers]
    while pending:
        sub = pending.pop(0)
        plane = Plane(sub.get("id"))
        layout_container(sub, 20, 20, plane)
        planes.append(plane)
        pending.extend(read_graph(sub).containers)
    return Layout(planes, warnings)
