"""Moving apart vertical lines that unrelated flows would otherwise share in a gap between columns."""
from __future__ import annotations

import math
from functools import partial

from engine.definitions.layout.geometry import Point


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
