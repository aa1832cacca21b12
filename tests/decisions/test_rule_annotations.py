"""A single-result table says why it answered: the winning rule's named annotations land in task data."""
from __future__ import annotations

from typing import Any

from engine.decisions import parse_dmn
from engine.decisions.model import DecisionTable
from engine.runtime.bpmn_parser import merge_result

from .dmn_builder import DMN13


def _table(hit_policy: str, rows: list[tuple[str, str, str]], output_values: str | None = None) -> DecisionTable:
    ranked = f"<outputValues><text>{output_values}</text></outputValues>" if output_values else ""
    rules = "".join(
        f'<rule id="r{n}"><description>row {n}</description>'
        f"<inputEntry><text>{test}</text></inputEntry><outputEntry><text>{out}</text></outputEntry>"
        f"<annotationEntry><text>{basis}</text></annotationEntry><annotationEntry><text>note {n}</text></annotationEntry>"
        "</rule>"
        for n, (test, out, basis) in enumerate(rows, 1))
    source = (f'<definitions xmlns="{DMN13}" id="defs" name="t"><decision id="route">'
              f'<decisionTable id="route_table" hitPolicy="{hit_policy}">'
              '<input id="in1" label="kind"><inputExpression><text>kind</text></inputExpression></input>'
              f'<output id="out1" name="unit" typeRef="string">{ranked}</output>'
              '<annotation name="basis"/><annotation/>'
              f"{rules}</decisionTable></decision></definitions>")
    (table,) = parse_dmn(source.encode(), "route.dmn")
    return table


def _merged(table: DecisionTable, context: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = dict(data or {}, **context)
    result, rule = table.evaluate_with_rule(context)
    merge_result(data, table, result, rule)
    return data


def test_the_matching_rules_named_annotation_is_stored_under_the_decision_and_column_name() -> None:
    table = _table("UNIQUE", [('"rubbish"', '"sanitation"', "清单第一条：垃圾归环卫"),
                              ('"water"', '"drainage"', "清单第二条：积水归水务")])
    data = _merged(table, {"kind": "water"})
    assert data["unit"] == "drainage"  # the output, as before
    assert data["route_basis"] == "清单第二条：积水归水务"
    assert not any(key.startswith("route_") and key != "route_basis" for key in data)  # unnamed column: not kept


def test_no_matching_rule_clears_a_basis_left_from_an_earlier_pass() -> None:
    table = _table("UNIQUE", [('"rubbish"', '"sanitation"', "垃圾归环卫")])
    data = _merged(table, {"kind": "noise"}, {"unit": "sanitation", "route_basis": "垃圾归环卫"})
    assert data["unit"] is None and data["route_basis"] is None


def test_under_priority_the_basis_is_that_of_the_rule_whose_output_won() -> None:
    table = _table("PRIORITY", [("-", '"low"', "兜底规则"), ('"fire"', '"high"', "火情优先")],
                   output_values='"high","low"')
    assert _merged(table, {"kind": "fire"})["route_basis"] == "火情优先"
    assert _merged(table, {"kind": "rubbish"})["route_basis"] == "兜底规则"


def test_a_first_hit_table_keeps_the_basis_of_the_first_matching_row() -> None:
    table = _table("FIRST", [('"fire"', '"high"', "火情优先"), ("-", '"low"', "兜底规则")])
    assert _merged(table, {"kind": "fire"})["route_basis"] == "火情优先"


def test_a_list_result_stores_no_basis_since_no_single_rule_answered() -> None:
    table = _table("COLLECT", [("-", '"a"', "一"), ("-", '"b"', "二")])
    data = _merged(table, {"kind": "x"})
    assert data["route"] == [{"unit": "a"}, {"unit": "b"}] and "route_basis" not in data
