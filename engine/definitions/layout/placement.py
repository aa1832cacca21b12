"""Where each node goes: one full-width lane band per lane, each node in its lane's band and its column,
nodes of one lane and column stacked in sub-rows; boundary events on the bottom border of their host.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.definitions.layout.elements import kind_of
from engine.definitions.layout.geometry import (
    CONTENT_PAD,
    GAP,
    LABELLED_GAP,
    LANE_LABEL,
    ROW,
    ROW_TOP,
    SHORT_ROW,
    SIZES,
    TRACK_STEP,
    Box,
)
from engine.definitions.layout.graph import Graph


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
