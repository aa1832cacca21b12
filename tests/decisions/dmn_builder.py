"""Build small DMN documents in tests, so each test shows the whole table it is about."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from engine.decisions import DecisionTable, parse_dmn

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def dmn(
    rows: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    inputs: Sequence[str | tuple[str, str | None]] = ("x",),
    outputs: Sequence[str | tuple[str, str | None]] = ("result",),
    hit_policy: str | None = None,
    aggregation: str | None = None,
    decision_id: str = "d",
    namespace: str = DMN13,
) -> bytes:
    """``inputs``: expression or (expression, inputValues); ``outputs``: name or (name, outputValues)."""
    attrs = ""
    if hit_policy:
        attrs += f" hitPolicy={quoteattr(hit_policy)}"
    if aggregation:
        attrs += f" aggregation={quoteattr(aggregation)}"
    parts = [f'<definitions xmlns="{namespace}" id="defs" name="t">', f'<decision id="{decision_id}">']
    parts.append(f'<decisionTable id="{decision_id}_table"{attrs}>')
    for n, spec in enumerate(inputs, 1):
        expression, values = (spec, None) if isinstance(spec, str) else spec
        parts.append(f'<input id="in{n}" label={quoteattr(expression)}>')
        parts.append(f"<inputExpression id=\"ie{n}\"><text>{escape(expression)}</text></inputExpression>")
        if values is not None:
            parts.append(f"<inputValues><text>{escape(values)}</text></inputValues>")
        parts.append("</input>")
    for n, spec in enumerate(outputs, 1):
        name, values = (spec, None) if isinstance(spec, str) else spec
        parts.append(f'<output id="out{n}" name={quoteattr(name)}>')
        if values is not None:
            parts.append(f"<outputValues><text>{escape(values)}</text></outputValues>")
        parts.append("</output>")
    for n, (ins, outs) in enumerate(rows, 1):
        parts.append(f'<rule id="r{n}">')
        parts += [f"<inputEntry><text>{escape(t)}</text></inputEntry>" for t in ins]
        parts += [f"<outputEntry><text>{escape(t)}</text></outputEntry>" for t in outs]
        parts.append("</rule>")
    parts.append("</decisionTable></decision></definitions>")
    return "\n".join(parts).encode()


def table(rows: Sequence[tuple[Sequence[str], Sequence[str]]], **kwargs: object) -> DecisionTable:
    (parsed,) = parse_dmn(dmn(rows, **kwargs), "test.dmn")  # type: ignore[arg-type]
    return parsed
