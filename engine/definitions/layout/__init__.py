"""A deterministic diagram (BPMNDI) for a BPMN file, drawn from its semantic model.

Analysts who write BPMN by hand, or generate it, get a readable picture in bpmn-js without drawing it:
`casegrid layout FILE` replaces the `bpmndi:BPMNDiagram` elements and leaves every other byte alone, so
ids, names, scripts and extension elements cannot change. `check_diagram` states what a usable diagram
is (it also accepts hand-drawn ones); the tests and `casegrid layout --check` use it.

It draws the way a careful analyst would, one step per module: `graph` reads a process, `ranking` gives
its columns, `placement` its boxes, `routing` and `channels` its lines, `drawing` puts them on planes and
`writing` into the file's text.
"""
from engine.definitions.layout.checks import check_diagram, semantic_model
from engine.definitions.layout.geometry import Box
from engine.definitions.layout.writing import relayout

__all__ = ["Box", "check_diagram", "relayout", "semantic_model"]
