"""Lines for sequence flows: orthogonal, border to border, elbows in the gaps between columns; a flow that
would cross a shape detours along a free horizontal track; loops come back below the nodes of their
lane; a boundary event's flows leave downwards.
"""
from __future__ import annotations

from collections.abc import Iterable

from engine.definitions.layout.elements import EVENTS, GATEWAYS
from engine.definitions.layout.geometry import CONTENT_PAD, Box, Point, label_size
from engine.definitions.layout.graph import Graph
from engine.definitions.layout.placement import Placed


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
