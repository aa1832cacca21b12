"""A deterministic diagram (BPMNDI) for a BPMN file, drawn from its semantic model.

Analysts who write BPMN by hand, or generate it, get a readable picture in bpmn-js without drawing it:
`casegrid layout FILE` replaces the `bpmndi:BPMNDiagram` elements and leaves every other byte alone, so
ids, names, scripts and extension elements cannot change. `check_diagram` states what a usable diagram
is (it also accepts hand-drawn ones); the tests and `casegrid layout --check` use it.

How it draws, the way a careful analyst would:
- one participant around everything, one full-width lane band per lane, each node in its lane's band;
- columns from the longest path from the start over the sequence flows, loops' back edges (found by a
  depth-first walk) left out of the ranking; nodes of one lane and column stacked in sub-rows;
- boundary events on the bottom border of their host; their flows leave downwards;
- sequence flows orthogonal, border to border, elbows in the gaps between columns; a flow that would cross
  a shape detours along a free horizontal track; loops come back below the nodes of their lane;
- subprocesses are drawn collapsed, with their content on a plane of their own (bpmn-js drills down).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

EVENTS = {"startEvent", "endEvent", "intermediateThrowEvent", "intermediateCatchEvent", "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
ACTIVITIES = {"task", "userTask", "scriptTask", "serviceTask", "businessRuleTask", "sendTask", "receiveTask",
              "manualTask", "callActivity", "subProcess", "transaction", "adHocSubProcess"}
CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}
FLOW_NODES = EVENTS | GATEWAYS | ACTIVITIES
# Elements this tool does not place; a file that has them is laid out without them and the caller says so.
NOT_DRAWN = {"dataObjectReference", "dataStoreReference", "textAnnotation", "association", "group"}

SIZES = {"event": (36.0, 36.0), "gateway": (50.0, 50.0), "activity": (100.0, 80.0)}
LANE_LABEL = 30.0       # the band bpmn-js writes a lane's (or participant's) name in
CONTENT_PAD = 40.0      # between a lane's label band and its first column, and after the last column
GAP = 80.0              # between two columns: room for elbows
LABELLED_GAP = 130.0    # after a column a named flow leaves: room for the name
ROW = 160.0             # one sub-row: a task, its boundary events and their names, a track below
SHORT_ROW = 130.0       # one sub-row without boundary events
ROW_TOP = 40.0          # above the first sub-row of a lane: a track and breathing room
TRACK_STEP = 12.0       # between parallel loop-back lines
LABEL_WIDTH = 90.0      # bpmn-js wraps external labels at 90px
LINE_HEIGHT = 14.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.right and other.x < self.right
                and self.y < other.bottom and other.y < self.bottom)

    def contains(self, other: Box) -> bool:
        return (self.x <= other.x and other.right <= self.right
                and self.y <= other.y and other.bottom <= self.bottom)

    def on_border(self, x: float, y: float, tolerance: float = 1.0) -> bool:
        inside = self.x - tolerance <= x <= self.right + tolerance and self.y - tolerance <= y <= self.bottom + tolerance
        near = min(abs(x - self.x), abs(x - self.right), abs(y - self.y), abs(y - self.bottom)) <= tolerance
        return inside and near

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Whether an axis-parallel segment runs through the inside (running along the border does not count)."""
        lo_x, hi_x = sorted((a[0], b[0]))
        lo_y, hi_y = sorted((a[1], b[1]))
        return (lo_x < self.right - 1 and hi_x > self.x + 1
                and lo_y < self.bottom - 1 and hi_y > self.y + 1)


Point = tuple[float, float]


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


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def kind_of(tag: str) -> str:
    if tag in EVENTS:
        return "event"
    if tag in GATEWAYS:
        return "gateway"
    return "activity"


def text_width(text: str) -> float:
    """Roughly how wide bpmn-js draws a name at its 11px label font: CJK glyphs are twice as wide."""
    return sum(12.0 if ord(ch) >= 0x2E80 else 6.5 for ch in text)


def label_size(text: str) -> tuple[float, float]:
    width = text_width(text)
    lines = max(1, math.ceil(width / LABEL_WIDTH))
    return min(width, LABEL_WIDTH), lines * LINE_HEIGHT


# --- the graph of one process or subprocess ---------------------------------------------------------------


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


def rank(graph: Graph) -> tuple[dict[str, int], set[str]]:
    """Columns by longest path from the starts, and the flows that close loops (ignored for ranking)."""
    succ: dict[str, list[tuple[str, str]]] = {n: [] for n in graph.nodes}
    for flow, source, target, _ in graph.flows:
        if target in succ:
            succ[graph.owner(source)].append((flow, target))
    has_incoming = {t for _, _, t, _ in graph.flows}
    starts = sorted((n for n in graph.nodes if n not in has_incoming),
                    key=lambda n: (graph.tags[n] != "startEvent", graph.nodes.index(n)))
    back: set[str] = set()
    state: dict[str, int] = {}   # 1 on the walk's stack, 2 done

    def walk(node: str) -> None:
        state[node] = 1
        for flow, target in succ[node]:
            if state.get(target) == 1:
                back.add(flow)
            elif target not in state:
                walk(target)
        state[node] = 2

    for node in [*starts, *graph.nodes]:
        if node not in state:
            walk(node)
    indegree = {n: 0 for n in graph.nodes}
    for node in graph.nodes:
        for flow, target in succ[node]:
            if flow not in back:
                indegree[target] += 1
    ranks = {n: 0 for n in graph.nodes}
    ready = [n for n in graph.nodes if indegree[n] == 0]
    while ready:
        node = ready.pop(0)
        for flow, target in succ[node]:
            if flow in back:
                continue
            ranks[target] = max(ranks[target], ranks[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return ranks, back


# --- placing and routing ------------------------------------------------------------------------------------


@dataclass
class Placed:
    boxes: dict[str, Box]
    lane_boxes: list[tuple[str, Box]]
    col_x: dict[int, float]
    col_w: dict[int, float]
    gap: dict[int, float]
    ranks: dict[str, int]
    rows: dict[str, int]
    lane_of: dict[str, int]
    tracks: list[float]                       # free horizontal lines between sub-rows
    back_tracks: dict[int, dict[str, float]]  # per lane: lines below all its nodes, one per loop target
    width: float
    height: float


def node_size(graph: Graph, node: str) -> tuple[float, float]:
    width, height = SIZES[kind_of(graph.tags[node])]
    attached = sum(1 for h in graph.hosts.values() if h == node)
    return (100.0 * attached if attached > 1 else width), height


def place(graph: Graph, x0: float, y0: float, back: set[str], ranks: dict[str, int]) -> Placed:
    lane_of = {n: i for i, (_, members) in enumerate(graph.lanes) for n in members}
    # Which incoming flow a node should line up with: the default (or else the first) flow out of a node
    # of its own lane keeps the row; a boundary event's flow goes down a row, as its line leaves downwards.
    outgoing: dict[str, list[str]] = {}
    for flow, source, _, _ in graph.flows:
        outgoing.setdefault(source, []).append(flow)
    for source, flows in outgoing.items():
        flows.sort(key=lambda f: f != graph.defaults.get(source))
    preds: dict[str, list[tuple[str, str]]] = {n: [] for n in graph.nodes}
    for flow, source, target, _ in graph.flows:
        if flow not in back and target in preds:
            preds[target].append((flow, source))
    rows: dict[str, int] = {}
    taken: set[tuple[int, int, int]] = set()

    def wish(node: str) -> tuple[int, int, int, int, int]:
        options = [(source in graph.hosts, outgoing[source].index(flow), rows[graph.owner(source)])
                   for flow, source in preds[node]
                   if graph.owner(source) in rows and lane_of[graph.owner(source)] == lane_of[node]]
        if not options:
            return 1, 0, 0, 0, graph.nodes.index(node)
        from_boundary, position, row = min(options)
        return 0, int(from_boundary), row + int(from_boundary), position, graph.nodes.index(node)

    for column in sorted(set(ranks.values())):
        cell = [n for n in graph.nodes if ranks[n] == column]
        wishes = {n: wish(n) for n in cell}
        for node in sorted(cell, key=wishes.__getitem__):
            lane, wanted = lane_of[node], wishes[node][2]
            free = (r for r in range(len(graph.nodes) + 2) if (lane, column, r) not in taken)
            row = min(free, key=lambda r: (abs(r - wanted), r < wanted))
            rows[node] = row
            taken.add((lane, column, row))
    columns = sorted(set(ranks.values())) or [0]
    col_w = {c: max((node_size(graph, n)[0] for n in graph.nodes if ranks[n] == c), default=100.0) for c in columns}
    named_from = {ranks[graph.owner(s)] for _, s, _, name in graph.flows if name}
    named_from |= {ranks[graph.owner(b)] for b in graph.hosts if graph.names.get(b)}
    gap = {c: LABELLED_GAP if c in named_from else GAP for c in columns}
    col_x: dict[int, float] = {}
    x = x0 + LANE_LABEL + CONTENT_PAD
    for c in columns:
        col_x[c] = x
        x += col_w[c] + gap[c]
    width = x - gap[columns[-1]] + CONTENT_PAD - x0
    # Loops back to one node are a join: they share one line below the lane.
    loop_targets: dict[int, list[str]] = {}
    for flow, source, target, _ in graph.flows:
        targets = loop_targets.setdefault(lane_of[graph.owner(source)], [])
        if flow in back and target not in targets:
            targets.append(target)
    hosting = {h for h in graph.hosts.values()}
    boxes: dict[str, Box] = {}
    lane_boxes: list[tuple[str, Box]] = []
    tracks: list[float] = []
    back_tracks: dict[int, dict[str, float]] = {}
    y = y0
    for index, (lane_id, members) in enumerate(graph.lanes):
        used = max((rows[n] for n in members), default=0) + 1
        # A sub-row with boundary events needs room under its tasks for them and their names.
        pitch = [ROW if any(rows[n] == r and n in hosting for n in members) else SHORT_ROW for r in range(used)]
        centre = [y + ROW_TOP + 40 + sum(pitch[:r]) for r in range(used)]
        for node in members:
            w, h = node_size(graph, node)
            cx = col_x[ranks[node]] + col_w[ranks[node]] / 2
            boxes[node] = Box(cx - w / 2, centre[rows[node]] - h / 2, w, h)
        tracks.append(y + ROW_TOP / 2)
        tracks.extend(centre[r] + pitch[r] - 52 for r in range(used - 1))
        content_bottom = centre[-1] + pitch[-1] - 62
        loops = len(loop_targets.get(index, []))
        back_tracks[index] = {t: content_bottom + i * TRACK_STEP for i, t in enumerate(loop_targets.get(index, []))}
        height = max(content_bottom + loops * TRACK_STEP + 10 - y, 150.0)
        if lane_id:
            lane_boxes.append((lane_id, Box(x0, y, width, height)))
        y += height
    for boundary, host in graph.hosts.items():
        siblings = [b for b, h in graph.hosts.items() if h == host]
        i = siblings.index(boundary)
        hb = boxes[host]
        cx = hb.x + hb.w * (2 * i + 1) / (2 * len(siblings))
        boxes[boundary] = Box(cx - 18, hb.bottom - 18, 36, 36)
        lane_of[boundary] = lane_of[host]
    return Placed(boxes, lane_boxes, col_x, col_w, gap, ranks, rows, lane_of, sorted(set(tracks)), back_tracks,
                  width, y - y0)


def _clean(points: list[Point]) -> list[Point]:
    """Drop repeated points and points in the middle of a straight run."""
    out: list[Point] = []
    for p in points:
        p = (round(p[0], 1), round(p[1], 1))
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
            continue
        out.append(p)
    return out


def _hits(points: list[Point], obstacles: Iterable[Box]) -> int:
    boxes = list(obstacles)
    return sum(1 for a, b in zip(points, points[1:], strict=False) for box in boxes if box.crossed_by(a, b))


class Router:
    def __init__(self, graph: Graph, placed: Placed, back: set[str]) -> None:
        self.graph, self.placed, self.back = graph, placed, back
        self.obstacles = list(placed.boxes.values())
        self.out_count = {n: 0 for n in graph.tags}
        for _, source, _, _ in graph.flows:
            self.out_count[source] += 1

    def gap_after(self, column: int) -> float:
        p = self.placed
        return p.col_x[column] + p.col_w[column] + p.gap[column] / 2

    def gap_before(self, column: int) -> float:
        p = self.placed
        earlier = [c for c in p.col_x if c < column]
        return self.gap_after(max(earlier)) if earlier else p.col_x[column] - CONTENT_PAD / 2

    def below_is_free(self, node: str) -> bool:
        """Nothing under this node in its column and lane, so a line may leave or enter its bottom."""
        p, box = self.placed, self.placed.boxes[node]
        if node in self.graph.hosts.values() or self.graph.tags[node] in EVENTS:
            return False
        return not any(other != node and p.lane_of.get(other) == p.lane_of[node] and ob.y > box.y
                       and ob.x < box.right and box.x < ob.right for other, ob in p.boxes.items())

    def route(self, flow: str, source: str, target: str) -> list[Point]:
        if flow in self.back:
            return _clean(self.route_back(source, target))
        candidates = self.forward_candidates(source, target)
        best = min(candidates, key=lambda c: (_hits(c, self.obstacles), candidates.index(c)))
        return _clean(best)

    def forward_candidates(self, source: str, target: str) -> list[list[Point]]:
        g, p = self.graph, self.placed
        s, t = p.boxes[source], p.boxes[target]
        q: Point = (t.x, t.cy)
        before = self.gap_before(p.ranks[target])
        by_distance = sorted(p.tracks, key=lambda ty: (abs(ty - s.cy) + abs(ty - t.cy), ty))
        if source in g.hosts:
            start: Point = (s.cx, s.bottom)
            out = []
            if t.cy > s.bottom:
                out.append([start, (s.cx, t.cy), q])
            below = [ty for ty in by_distance if ty > s.bottom + 8]
            out.extend([start, (s.cx, ty), (before, ty), (before, t.cy), q] for ty in below)
            return out or [[start, (s.cx, s.bottom + 20), (before, s.bottom + 20), (before, t.cy), q]]
        start = (s.right, s.cy)
        after = self.gap_after(p.ranks[source])
        out = []
        if g.tags[source] in GATEWAYS and self.out_count[source] > 1 and abs(t.cy - s.cy) > 1:
            vertex: Point = (s.cx, s.y) if t.cy < s.cy else (s.cx, s.bottom)
            out.append([vertex, (s.cx, t.cy), q])
        if abs(t.cy - s.cy) < 0.5:
            out.append([start, q])
        out.append([start, (after, s.cy), (after, t.cy), q])
        out.append([start, (before, s.cy), (before, t.cy), q])
        out.extend([start, (after, s.cy), (after, ty), (before, ty), (before, t.cy), q] for ty in by_distance)
        return out

    def route_back(self, source: str, target: str) -> list[Point]:
        p = self.placed
        s, t = p.boxes[source], p.boxes[target]
        owner = self.graph.owner(source)
        lane = p.lane_of[owner]
        track = p.back_tracks[lane][target]
        if source in self.graph.hosts:
            points: list[Point] = [(s.cx, s.bottom), (s.cx, track)]
        elif self.below_is_free(source):
            points = [(s.cx, s.bottom), (s.cx, track)]
        else:
            after = self.gap_after(p.ranks[owner])
            points = [(s.right, s.cy), (after, s.cy), (after, track)]
        if p.lane_of[target] == lane and self.below_is_free(target):
            points += [(t.cx, track), (t.cx, t.bottom)]
        else:
            before = self.gap_before(p.ranks[target])
            points += [(before, track), (before, t.cy), (t.x, t.cy)]
        return points


def flow_label(points: list[Point], name: str, from_gateway: bool) -> Box:
    width, height = label_size(name)
    segments = [(a, b) for a, b in zip(points, points[1:], strict=False) if abs(a[1] - b[1]) < 0.5]
    if segments:
        if from_gateway:
            a, b = next(((a, b) for a, b in segments if abs(b[0] - a[0]) >= 30), segments[0])
            left = min(a[0], b[0]) + 6
        else:
            a, b = max(segments, key=lambda ab: (abs(ab[1][0] - ab[0][0]), -segments.index(ab)))
            left = (a[0] + b[0]) / 2 - width / 2
        return Box(round(left), round(a[1] - height - 3), round(width), round(height))
    a, b = max(zip(points, points[1:], strict=False), key=lambda ab: abs(ab[1][1] - ab[0][1]))
    return Box(round(a[0] + 6), round((a[1] + b[1]) / 2 - height / 2), round(width), round(height))


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


def _root_of(group: dict[int, int], member: int) -> int:
    while group[member] != member:
        member = group[member]
    return member


def separate_channels(flows: list[tuple[str, str, str, str]], routes: list[list[Point]],
                      room: dict[float, float]) -> list[list[Point]]:
    """Give unrelated flows their own vertical line in a gap between columns.

    Lines that share a source (a fork) or a target (a join) may run together; two that share neither
    would read as one flow going somewhere else, so each such group moves a little left or right.
    """
    users: dict[float, list[tuple[int, int]]] = {}
    for i, points in enumerate(routes):
        for j in range(1, len(points) - 2):
            a, b = points[j], points[j + 1]
            if a[0] == b[0] and a[0] in room:
                users.setdefault(a[0], []).append((i, j))
    moved = [list(points) for points in routes]
    for x, segments in sorted(users.items()):
        group = {i: i for i, _ in segments}
        find = partial(_root_of, group)
        members = sorted(group)
        for a in members:
            for b in members:
                if a < b and (flows[a][1] == flows[b][1] or flows[a][2] == flows[b][2]):
                    group[find(b)] = find(a)
        tops = {}
        sides: dict[int, tuple[set[float], set[float]]] = {}
        for i, j in segments:
            r = find(i)
            tops[r] = min(tops.get(r, math.inf), routes[i][j][1], routes[i][j + 1][1])
            left, right = sides.setdefault(r, (set(), set()))
            for k in (j - 1, j + 2):
                (left if routes[i][k][0] < x else right).add(routes[i][k][1])
        if len(tops) < 2:
            continue
        # A line that comes out of the left column at some height goes left of one that goes into the
        # right column at that height, or the two would run together along it.
        remaining, roots = sorted(tops, key=lambda r: (tops[r], r)), []
        while remaining:
            free = [r for r in remaining
                    if not any(sides[o][0] & sides[r][1] for o in remaining if o != r)]
            roots.append((free or remaining)[0])
            remaining.remove(roots[-1])
        step = min(10.0, 2 * room[x] / (len(roots) - 1))
        offset = {r: (k - (len(roots) - 1) / 2) * step for k, r in enumerate(roots)}
        for i, j in segments:
            dx = round(offset[find(i)], 1)
            moved[i][j] = (x + dx, moved[i][j][1])
            moved[i][j + 1] = (x + dx, moved[i][j + 1][1])
    return moved


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


# --- writing ---------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _bounds(dc: str, box: Box) -> str:
    return (f'<{dc}:Bounds x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" '
            f'height="{_num(box.h)}" />')


def render(layout: Layout, prefixes: dict[str, str]) -> str:
    bpmndi, dc, di = prefixes[BPMNDI], prefixes[DC], prefixes[DI]
    lines: list[str] = []
    for plane in layout.planes:
        lines.append(f'  <{bpmndi}:BPMNDiagram id="{plane.element}_diagram">')
        lines.append(f'    <{bpmndi}:BPMNPlane id="{plane.element}_plane" bpmnElement="{plane.element}">')
        for shape in plane.shapes:
            attrs = "".join(f' {k}="{v}"' for k, v in shape.attrs.items())
            lines.append(f'      <{bpmndi}:BPMNShape id="{shape.element}_di" bpmnElement="{shape.element}"{attrs}>')
            lines.append(f"        {_bounds(dc, shape.box)}")
            if shape.label is not None:
                lines.append(f"        <{bpmndi}:BPMNLabel>{_bounds(dc, shape.label)}</{bpmndi}:BPMNLabel>")
            lines.append(f"      </{bpmndi}:BPMNShape>")
        for edge in plane.edges:
            lines.append(f'      <{bpmndi}:BPMNEdge id="{edge.element}_di" bpmnElement="{edge.element}">')
            lines.extend(f'        <{di}:waypoint x="{_num(x)}" y="{_num(y)}" />' for x, y in edge.points)
            if edge.label is not None:
                lines.append(f"        <{bpmndi}:BPMNLabel>{_bounds(dc, edge.label)}</{bpmndi}:BPMNLabel>")
            lines.append(f"      </{bpmndi}:BPMNEdge>")
        lines.append(f"    </{bpmndi}:BPMNPlane>")
        lines.append(f"  </{bpmndi}:BPMNDiagram>")
    return "\n".join(lines)


_DEFAULT_PREFIXES = {BPMNDI: "bpmndi", DC: "dc", DI: "di"}


def relayout(text: str) -> tuple[str, list[str]]:
    """The file's text with its diagram drawn anew; everything outside the diagram elements stays as it was."""
    root = etree.fromstring(text.encode("utf-8"))
    layout = compute_layout(root)
    declared = {uri: prefix for prefix, uri in root.nsmap.items() if prefix}
    missing = {uri: p for uri, p in _DEFAULT_PREFIXES.items() if uri not in declared}
    prefixes = {**declared, **missing}
    diagram = render(layout, prefixes)
    di_prefix = re.escape(declared.get(BPMNDI, "bpmndi"))
    opening = re.compile(rf"[ \t]*<{di_prefix}:BPMNDiagram\b")
    closing = re.compile(rf"</{di_prefix}:BPMNDiagram\s*>")
    first = opening.search(text) if BPMNDI in declared else None
    if first:
        last_end = [m.end() for m in closing.finditer(text)][-1]
        text = text[:first.start()] + diagram + text[last_end:]
    else:
        end = list(re.finditer(r"</([\w.-]+:)?definitions\s*>", text))[-1]
        head = text[:end.start()].rstrip(" \t")
        text = head + ("" if head.endswith("\n") else "\n") + diagram + "\n" + text[end.start():]
    if missing:
        declarations = "".join(f' xmlns:{p}="{uri}"' for uri, p in missing.items())
        start = re.search(r"<([\w.-]+:)?definitions\b", text)
        assert start is not None
        text = text[:start.end()] + declarations + text[start.end():]
    return text, layout.warnings


# --- checking ----------------------------------------------------------------------------------------------


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
