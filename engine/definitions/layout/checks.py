"""What makes a diagram usable, and the semantic model two files are compared by."""
from __future__ import annotations

from lxml import etree

from engine.definitions.layout.elements import NS, local
from engine.definitions.layout.geometry import Box, Point
from engine.definitions.layout.graph import read_graph


def semantic_model(root: etree._Element) -> bytes:
    """The model the engine runs, diagram taken away and layout whitespace ignored, for comparing two files."""
    copy = etree.fromstring(etree.tostring(root))
    for diagram in copy.findall("bpmndi:BPMNDiagram", NS):
        copy.remove(diagram)
    for element in copy.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return etree.tostring(copy, method="c14n", exclusive=True)


def _box(bounds: etree._Element | None) -> Box | None:
    if bounds is None:
        return None
    return Box(*(float(bounds.get(k, "0")) for k in ("x", "y", "width", "height")))


def check_diagram(root: etree._Element) -> list[str]:
    """What makes a diagram usable, one line per broken rule; hand-drawn diagrams are held to it too.

    Every participant, lane and flow node has a shape; nodes lie inside their lane and their participant;
    no two nodes overlap (a boundary event and its host excepted); boundary events sit on their host's
    border; every sequence flow has an edge of orthogonal segments from the source's border to the target's.
    """
    problems: list[str] = []
    shown = {p.get("bpmnElement") for p in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)}
    for participant in root.iterfind("bpmn:collaboration/bpmn:participant", NS):
        if participant.getparent().get("id") in shown:
            shown.add(participant.get("processRef"))
    for process in root.iterfind("bpmn:process", NS):
        if process.get("id") not in shown:
            problems.append(f"{process.get('id')}: no diagram shows this process")
        for sub in read_graph(process).containers:
            expanded = root.find(f".//bpmndi:BPMNShape[@bpmnElement='{sub.get('id')}']", NS)
            if sub.get("id") not in shown and (expanded is None or expanded.get("isExpanded") != "true"):
                problems.append(f"{process.get('id')}: the content of subprocess {sub.get('id')} is drawn nowhere")
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        owner = plane.get("bpmnElement")
        shapes = {s.get("bpmnElement"): _box(s.find("dc:Bounds", NS)) for s in plane.iterfind("bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement"): [(float(w.get("x")), float(w.get("y"))) for w in e.iterfind("di:waypoint", NS)]
                 for e in plane.iterfind("bpmndi:BPMNEdge", NS)}
        element = root.find(f".//*[@id='{owner}']")
        if element is None:
            problems.append(f"plane {plane.get('id')}: shows {owner}, which does not exist")
            continue
        if local(element) == "collaboration":
            participants = [(p.get("id"), root.find(f"bpmn:process[@id='{p.get('processRef')}']", NS))
                            for p in element.iterfind("bpmn:participant", NS)]
            containers = [(pid, proc) for pid, proc in participants if proc is not None]
        else:
            containers = [("", element)]
        for participant, container in containers:
            problems += _check_container(container, participant, shapes, edges)
    return problems


def _check_container(container: etree._Element, participant: str, shapes: dict[str, Box | None],
                     edges: dict[str, list[Point]]) -> list[str]:
    problems: list[str] = []
    where = container.get("id")
    pool = shapes.get(participant) if participant else None
    if participant and pool is None:
        problems.append(f"{where}: participant {participant} has no shape")
    graph = read_graph(container)
    for lane_id, members in graph.lanes:
        if not lane_id:
            continue
        lane = shapes.get(lane_id)
        if lane is None:
            problems.append(f"{where}: lane {lane_id} has no shape")
            continue
        if pool is not None and not pool.contains(lane):
            problems.append(f"{where}: lane {lane_id} sticks out of participant {participant}")
        for node in members:
            box = shapes.get(node)
            if box is not None and not lane.contains(box):
                problems.append(f"{where}: {node} is not inside its lane {lane_id}")
    for node in graph.tags:
        box = shapes.get(node)
        if box is None:
            problems.append(f"{where}: {node} has no shape")
        elif pool is not None and not pool.contains(box):
            problems.append(f"{where}: {node} is not inside participant {participant}")
    for boundary, host in graph.hosts.items():
        b, h = shapes.get(boundary), shapes.get(host)
        if b is not None and h is not None and not h.on_border(b.cx, b.cy):
            problems.append(f"{where}: boundary event {boundary} is not on the border of {host}")
    placed = sorted((n, shapes[n]) for n in graph.tags if shapes.get(n) is not None)
    for i, (a, box_a) in enumerate(placed):
        for b, box_b in placed[i + 1:]:
            if graph.hosts.get(a) == b or graph.hosts.get(b) == a:
                continue
            if box_a.overlaps(box_b):  # type: ignore[union-attr]
                problems.append(f"{where}: {a} and {b} overlap")
    for flow, source, target, _ in graph.flows:
        points = edges.get(flow)
        if points is None:
            problems.append(f"{where}: flow {flow} has no edge")
            continue
        if len(points) < 2:
            problems.append(f"{where}: flow {flow} has fewer than two waypoints")
            continue
        s, t = shapes.get(source), shapes.get(target)
        if s is not None and not s.on_border(*points[0]):
            problems.append(f"{where}: flow {flow} does not start on the border of {source}")
        if t is not None and not t.on_border(*points[-1]):
            problems.append(f"{where}: flow {flow} does not end on the border of {target}")
        if any(abs(a[0] - b[0]) > 0.5 and abs(a[1] - b[1]) > 0.5 for a, b in zip(points, points[1:], strict=False)):
            problems.append(f"{where}: flow {flow} has a slanted segment")
    return problems
