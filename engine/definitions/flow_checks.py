"""Checks on how tokens flow through a process: constructs the engine can start but never complete."""
from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from engine.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CONTAINERS = ("process", "subProcess", "transaction")


def _children(container: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in container if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _reachable(starts: set[str], edges: dict[str, set[str]], without: str) -> set[str]:
    seen: set[str] = set()
    todo = [node for node in starts if node != without]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(target for target in edges.get(node, ()) if target != without and target not in seen)
    return seen


def _parallel_joins_fed_from_behind(path: str, container: etree._Element) -> Iterator[Problem]:
    edges: dict[str, set[str]] = {}
    incoming: dict[str, list[str]] = {}
    for flow in _children(container, "sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        edges.setdefault(source, set()).add(target)
        incoming.setdefault(target, []).append(source)
    for boundary in _children(container, "boundaryEvent"):
        # A boundary event's token comes from its host task.
        edges.setdefault(boundary.get("attachedToRef", ""), set()).add(boundary.get("id", ""))
    starts = {start.get("id", "") for start in _children(container, "startEvent")}
    if not starts:
        # A process without a start event (e.g. only called): every node without an incoming flow starts.
        starts = {node for node in edges if node not in incoming}
    for gateway in _children(container, "parallelGateway"):
        gateway_id = gateway.get("id", "")
        sources = incoming.get(gateway_id, [])
        if len(sources) < 2:
            continue
        before = _reachable(starts, edges, without=gateway_id)
        for source in sources:
            if source not in before:
                name = gateway.get("name") or gateway_id
                yield Problem(path, gateway_id,
                              f"parallel gateway '{name}' waits for the flow from '{source}', which can only "
                              "arrive after the gateway itself has passed: the case would stop here for ever. "
                              "Merge a loop with an exclusive gateway, and join only the branches of one split")
                break


def check_flows(path: str, root: etree._Element) -> Iterator[Problem]:
    for name in CONTAINERS:
        for container in root.iter(f"{{{BPMN}}}{name}"):
            yield from _parallel_joins_fed_from_behind(path, container)
