"""Columns from the longest path from the start over the sequence flows, loops' back edges (found by a
depth-first walk) left out of the ranking.
"""
from __future__ import annotations

from engine.definitions.layout.graph import Graph


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
