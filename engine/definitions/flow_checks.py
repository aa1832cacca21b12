"""Checks on how tokens flow through a process: constructs the engine can start but never complete."""
from __future__ import annotations

import ast
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
                              "Merge a loop with an exclusive gateway, and join only the branches of one split",
                              key="gateway.joins_own_loop", params={"gateway": name, "source": source})
                break


def _scripts_of(node: etree._Element) -> list[str]:
    """The sandbox scripts a node runs: a script task's body, any task's pre- and post-script."""
    found = [child.text or "" for child in node if isinstance(child.tag, str) and etree.QName(child).localname == "script"]
    for extensions in _children(node, "extensionElements"):
        found += [child.text or "" for child in extensions if isinstance(child.tag, str)
                  and etree.QName(child).localname in ("preScript", "postScript")]
    return found


def _empties(script: str, name: str) -> bool:
    """Whether the script sets `name` to an empty list or dict (``name = []``, ``{}``, ``list()``, ``dict()``)."""
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # a script that does not parse has its own problem line
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or not any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            continue
        value = node.value
        if isinstance(value, ast.List | ast.Dict) and not (value.keys if isinstance(value, ast.Dict) else value.elts):
            return True
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("list", "dict") \
                and not value.args and not value.keywords:
            return True
    return False


def _returns_avoiding(node: str, edges: dict[str, set[str]], avoided: set[str]) -> bool:
    """Whether a token leaving `node` can come back to it without passing through any `avoided` node."""
    seen: set[str] = set()
    todo = list(edges.get(node, ()))
    while todo:
        current = todo.pop()
        if current == node:
            return True
        if current in seen or current in avoided:
            continue
        seen.add(current)
        todo.extend(edges.get(current, ()))
    return False


def _multi_instance_outputs_kept_round_a_loop(path: str, container: etree._Element) -> Iterator[Problem]:
    nodes = {child.get("id", ""): child for child in container if isinstance(child.tag, str) and child.get("id")}
    edges: dict[str, set[str]] = {}
    for flow in _children(container, "sequenceFlow"):
        edges.setdefault(flow.get("sourceRef", ""), set()).add(flow.get("targetRef", ""))
    for boundary in _children(container, "boundaryEvent"):
        edges.setdefault(boundary.get("attachedToRef", ""), set()).add(boundary.get("id", ""))
    for task_id, task in nodes.items():
        loop = next(iter(_children(task, "multiInstanceLoopCharacteristics")), None)
        if loop is None:
            continue
        output = "".join(ref.text or "" for ref in _children(loop, "loopDataOutputRef")).strip()
        given = "".join(ref.text or "" for ref in _children(loop, "loopDataInputRef")).strip()
        if not output or output == given:
            continue  # no collected list, or the input list updated in place
        # Nodes whose scripts empty the list cut the way back: a loop only counts if it avoids them all.
        resetting = {node_id for node_id, node in nodes.items()
                     if node_id != task_id and any(_empties(script, output) for script in _scripts_of(node))}
        if _returns_avoiding(task_id, edges, resetting):
            name = task.get("name") or task_id
            yield Problem(path, task_id,
                          f"multi-instance task '{name}' can run again in a loop while its output list "
                          f"'{output}' still holds the results of the previous pass; the engine cannot add to "
                          f"a list that is not empty, so the case would stop there. Empty it on the way back, "
                          f"e.g. a script task or preScript with {output} = []",
                          key="multi_instance.output_in_loop", params={"task": name, "output": output})


def check_flows(path: str, root: etree._Element) -> Iterator[Problem]:
    for name in CONTAINERS:
        for container in root.iter(f"{{{BPMN}}}{name}"):
            yield from _parallel_joins_fed_from_behind(path, container)
            yield from _multi_instance_outputs_kept_round_a_loop(path, container)
