"""FIRST stops at its first matching rule, and a column's typeRef only makes evaluation faster: a typed
table answers (and refuses) every value exactly as the same table without typeRefs does."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.decisions import DecisionEvaluationError, DecisionTable, parse_dmn

from .dmn_builder import dmn, table


def typed_table(rows: Sequence[tuple[Sequence[str], Sequence[str]]], types: Sequence[str], **kwargs: Any) -> DecisionTable:
    source = dmn(rows, **kwargs).decode()
    for n, type_ref in enumerate(types, 1):
        source = source.replace(f'<inputExpression id="ie{n}">', f'<inputExpression id="ie{n}" typeRef="{type_ref}">')
    (parsed,) = parse_dmn(source.encode(), "typed.dmn")
    return parsed


def outcome(t: DecisionTable, context: Mapping[str, Any]) -> tuple[str, Any]:
    try:
        return "value", t.evaluate(context)
    except DecisionEvaluationError as err:
        return "refused", err.message
    except Exception as err:  # noqa: BLE001 - whatever the untyped table raises, the typed one must too
        return type(err).__name__, str(err)


class Exploding(Mapping[str, Any]):
    """Case data whose `limit` cannot be read: touching it fails the evaluation."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        if key == "limit":
            raise RuntimeError("limit was read")
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


LATER_RULE_FAILS = [
    (['"a"'], ['"first"']),
    (["> limit"], ['"second"']),  # reading `limit` fails
    (['"a"'], ["1 / 0"]),  # its output fails
]


def test_first_does_not_evaluate_the_rules_after_its_match() -> None:
    t = table(LATER_RULE_FAILS, hit_policy="FIRST")
    assert t.evaluate(Exploding({"x": "a"})) == {"result": "first"}
    assert t.evaluate_with_rule(Exploding({"x": "a"}))[1].id == "r1"  # type: ignore[union-attr]


def test_the_later_rule_does_fail_when_a_policy_must_look_at_every_rule() -> None:
    # The control for the test above: the same table under RULE ORDER reaches rule 2 and fails on it.
    t = table(LATER_RULE_FAILS, hit_policy="RULE ORDER")
    with pytest.raises(RuntimeError, match="limit was read"):
        t.evaluate(Exploding({"x": "a"}))


def test_first_looks_at_later_rules_only_until_one_matches() -> None:
    t = table([(['"a"'], ['"A"']), (["-"], ['"any"']), (["> limit"], ['"never"'])], hit_policy="FIRST")
    assert t.evaluate(Exploding({"x": "b"})) == {"result": "any"}
    assert t.evaluate({"x": "b", "limit": 0}) == {"result": "any"}


NUMBER_ROWS = [
    (["< 10"], ['"small"']),
    (["[10..20)"], ['"medium"']),
    (["not(20, 21)"], ['"not twenty"']),
    (["20"], ['"twenty"']),
    (["\"20\""], ['"text"']),
    (["> 100, < 0"], ['"outside"']),
    ([">= 30"], ['"thirty or more"']),
    (["<= 5"], ['"five or less"']),
    (["> 50"], ['"over fifty"']),
    (["(5..30]"], ['"above five up to thirty"']),
    (["-"], ['"other"']),
]

WRONG_KINDS: list[Any] = ["5", "20", True, False, None, [5], {"v": 5}, dt.date(2026, 1, 2), "2026-01-02",
                          math.nan, Decimal("NaN"), math.inf, -math.inf]
RIGHT_KINDS: list[Any] = [5, 5.5, Decimal("10"), 10, 19.999, 20, 21, 101, -3, 0, 30, 30.0, 50, 51, Decimal("5"), 4.99]


@pytest.mark.parametrize("policy", ["FIRST", "RULE ORDER", "COLLECT"])
@pytest.mark.parametrize("value", WRONG_KINDS + RIGHT_KINDS, ids=repr)
def test_a_number_column_answers_every_value_as_the_untyped_column_does(policy: str, value: Any) -> None:
    typed = typed_table(NUMBER_ROWS, ["number"], hit_policy=policy)
    untyped = table(NUMBER_ROWS, hit_policy=policy)
    assert outcome(typed, {"x": value}) == outcome(untyped, {"x": value})


def test_a_typed_column_refuses_a_value_outside_its_allowed_values_with_the_same_message() -> None:
    rows = [(["< 10"], ['"small"']), (["-"], ['"big"'])]
    typed = typed_table(rows, ["number"], inputs=[("x", "[0..100]")], hit_policy="FIRST")
    untyped = table(rows, inputs=[("x", "[0..100]")], hit_policy="FIRST")
    for value in ("5", True, None, 500, -1):
        refused = outcome(typed, {"x": value})
        assert refused[0] == "refused"
        assert refused == outcome(untyped, {"x": value})


def test_a_unique_typed_table_names_the_overlapping_rules_as_before() -> None:
    # A variable endpoint hides the overlap from the deploy-time check, so only evaluation finds it.
    rows = [(["> limit"], ['"over"']), (["> 3"], ['"big"'])]
    typed = typed_table(rows, ["number"], hit_policy="UNIQUE")
    untyped = table(rows, hit_policy="UNIQUE")
    for context in ({"x": 10, "limit": 5}, {"x": 4, "limit": 5}, {"x": "10", "limit": 5}):
        assert outcome(typed, context) == outcome(untyped, context)
    assert outcome(typed, {"x": 10, "limit": 5})[0] == "refused"


STRING_ROWS = [
    (['"road"', "< 10"], ['"road small"']),
    (['"road", "water"', "-"], ['"road or water"']),
    (['not("noise")', ">= 3"], ['"not noise"']),
    (['< "m"', "-"], ['"early letter"']),
    (["-", "[1..3]"], ['"one to three"']),
    (["-", "true"], ['"true"']),
]


@settings(max_examples=150, deadline=None)
@given(
    category=st.one_of(st.sampled_from(["road", "water", "noise", "apple", "zoo", ""]), st.integers(-2, 2),
                       st.none(), st.booleans()),
    amount=st.one_of(st.integers(-5, 30), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                     st.booleans(), st.sampled_from(["3", Decimal("2.5"), Decimal("NaN"), dt.date(2026, 1, 2)])),
    policy=st.sampled_from(["FIRST", "RULE ORDER", "COLLECT"]),
)
def test_typed_string_and_number_columns_agree_with_untyped_ones_on_any_value(
    category: Any, amount: Any, policy: str
) -> None:
    inputs = ("category", "amount")
    typed = typed_table(STRING_ROWS, ["string", "number"], inputs=inputs, hit_policy=policy)
    untyped = table(STRING_ROWS, inputs=inputs, hit_policy=policy)
    context = {"category": category, "amount": amount}
    assert outcome(typed, context) == outcome(untyped, context)


def test_a_boolean_column_agrees_with_the_untyped_one() -> None:
    rows = [(["true"], ['"yes"']), (["false"], ['"no"']), (["< 1"], ['"odd"']), (["-"], ['"other"'])]
    for policy in ("FIRST", "COLLECT"):
        typed = typed_table(rows, ["boolean"], hit_policy=policy)
        untyped = table(rows, hit_policy=policy)
        for value in (True, False, 1, 0, "true", None):
            assert outcome(typed, {"x": value}) == outcome(untyped, {"x": value})
