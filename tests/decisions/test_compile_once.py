"""Cells are parsed once at deploy; evaluating many times never parses again."""
from __future__ import annotations

import pytest

from engine.decisions import DecisionRegistry, compiler, feel, parse_dmn

from .dmn_builder import fixture


@pytest.fixture
def parse_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real_tests, real_literal = feel.parse_unary_tests, feel.parse_literal

    def counting_tests(text: str | None) -> feel.UnaryTests:
        calls.append(text or "")
        return real_tests(text)

    def counting_literal(text: str | None) -> object:
        calls.append(text or "")
        return real_literal(text)

    monkeypatch.setattr(feel, "parse_unary_tests", counting_tests)
    monkeypatch.setattr(feel, "parse_literal", counting_literal)
    return calls


def test_each_cell_is_compiled_once_and_evaluation_compiles_nothing(parse_counter: list[str]) -> None:
    route, notify = parse_dmn(fixture("route_department.dmn"), "routing.dmn")
    cells = sum(len(r.input_entries) + len(r.output_entries) for t in (route, notify) for r in t.rules)
    value_lists = 2  # the two inputValues of route_department
    assert len(parse_counter) == cells + value_lists

    parse_counter.clear()
    for _ in range(200):
        route.evaluate({"case": {"category": "illegal_structure", "street": "Nanhu"}})
        notify.evaluate({"case": {"category": "standing_water"}})
    assert parse_counter == []


def test_registry_hands_out_the_same_compiled_table_every_time() -> None:
    registry = DecisionRegistry.from_sources([(fixture("route_department.dmn"), "routing.dmn")])
    first = registry.get("route_department").compiled
    assert first is registry.get("route_department").compiled
    assert isinstance(first, compiler.CompiledDecision)
