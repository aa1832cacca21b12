"""Writing a layout into the file's text as BPMNDI, leaving every byte outside the diagram elements alone."""
from __future__ import annotations

import re

from lxml import etree

from engine.definitions.layout.drawing import Layout, compute_layout
from engine.definitions.layout.elements import BPMNDI, DC, DI
from engine.definitions.layout.geometry import Box


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
