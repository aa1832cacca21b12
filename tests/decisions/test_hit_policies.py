"""Each hit policy and aggregation returns what DMN 1.3 says, in the documented shape."""
from __future__ import annotations

import pytest

from engine.decisions import DecisionEvaluationError, parse_dmn, validate_dmn

from .dmn_builder import dmn, fixture, table

# Two overlapping rules and one apart, so that policies that differ on overlaps are told apart.
SCORE_ROWS = [
    ([">= 10"], ['"high"', "3"]),
    ([">= 5"], ['"medium"', "2"]),
    (["< 5"], ['"low"', "1"]),
]


def test_unique_returns_the_one_matching_rule_as_a_dict_of_outputs() -> None:
    t = table([(['"a"'], ['"A"']), (['"b"'], ['"B"'])], hit_policy="UNIQUE")
    assert t.evaluate({"x": "b"}) == {"result": "B"}


def test_unique_is_the_default_hit_policy() -> None:
    t = table([(['"a"'], ['"A"'])])
    assert t.hit_policy == "UNIQUE"


def test_single_result_tables_return_none_when_no_rule_matches() -> None:
    for policy in ("UNIQUE", "FIRST", "ANY"):
        assert table([(['"a"'], ['"A"'])], hit_policy=policy).evaluate({"x": "zzz"}) is None


def test_unique_table_matching_two_rules_at_run_time_names_both_rules() -> None:
    # A variable endpoint hides the overlap from static analysis, so only evaluation finds it.
    t = table([(["> limit"], ['"over"']), (["> 3"], ['"big"'])], hit_policy="UNIQUE")
    with pytest.raises(DecisionEvaluationError) as err:
        t.evaluate({"x": 10, "limit": 5})
    assert "rule 'r1' (row 1)" in err.value.message and "rule 'r2' (row 2)" in err.value.message
    assert err.value.details["rules"] == ["r1", "r2"]


def test_first_returns_the_earliest_matching_rule() -> None:
    t = table(SCORE_ROWS, outputs=("level", "points"), hit_policy="FIRST")
    assert t.evaluate({"x": 12}) == {"level": "high", "points": 3}
    assert t.evaluate({"x": 7}) == {"level": "medium", "points": 2}


def test_priority_returns_the_match_whose_output_comes_first_in_output_values() -> None:
    t = table(
        [(["-"], ['"IV"']), ([">= 3"], ['"III"']), ([">= 30"], ['"I"']), ([">= 10"], ['"II"'])],
        outputs=(("grade", '"I","II","III","IV"'),),
        hit_policy="PRIORITY",
    )
    assert t.evaluate({"x": 0}) == {"grade": "IV"}
    assert t.evaluate({"x": 12}) == {"grade": "II"}
    assert t.evaluate({"x": 31}) == {"grade": "I"}


def test_priority_fixture_in_dmn_1_2_ranks_emergency_grades() -> None:
    (grade,) = parse_dmn(fixture("grading_dmn12.dmn"), "grading.dmn")
    assert grade.evaluate({"incident": {"deaths": 0, "injured": 12}}) == {"grade": "III"}
    assert grade.evaluate({"incident": {"deaths": 29, "injured": 0}}) == {"grade": "II"}


def test_priority_without_output_values_is_rejected() -> None:
    problems = validate_dmn(dmn([(["-"], ['"a"'])], hit_policy="PRIORITY"), "p.dmn")
    assert any("needs outputValues" in p.message for p in problems)


def test_priority_output_outside_output_values_is_rejected_naming_the_row() -> None:
    source = dmn([(["-"], ['"urgent"'])], outputs=(("grade", '"high","low"'),), hit_policy="PRIORITY")
    (problem,) = validate_dmn(source, "p.dmn")
    assert problem.element == "decision 'd' rule 'r1' (row 1) output 'grade'"
    assert "not one of the outputValues" in problem.message


def test_any_returns_the_shared_output_when_matching_rules_agree() -> None:
    t = table([(["> 1"], ['"yes"']), (["> 2"], ['"yes"'])], hit_policy="ANY")
    assert t.evaluate({"x": 5}) == {"result": "yes"}


def test_any_with_disagreeing_overlapping_literal_rules_is_rejected_at_deploy() -> None:
    problems = validate_dmn(dmn([(["> 1"], ['"yes"']), (["> 2"], ['"no"'])], hit_policy="ANY"), "a.dmn")
    assert len(problems) == 1 and "hit policy ANY" in problems[0].message
    assert "rule 'r1' (row 1) and rule 'r2' (row 2)" in (problems[0].element or "")


def test_any_with_disagreeing_rules_at_run_time_is_an_error_naming_them() -> None:
    t = table([(["> 1"], ["x * 1"]), (["> 2"], ["x * 2"])], hit_policy="ANY")
    with pytest.raises(DecisionEvaluationError, match=r"rule 'r1' \(row 1\).*rule 'r2' \(row 2\)"):
        t.evaluate({"x": 5})


def test_rule_order_returns_every_match_in_rule_order() -> None:
    t = table(SCORE_ROWS, outputs=("level", "points"), hit_policy="RULE ORDER")
    assert t.evaluate({"x": 12}) == [{"level": "high", "points": 3}, {"level": "medium", "points": 2}]
    assert t.evaluate({"x": 1}) == [{"level": "low", "points": 1}]


def test_output_order_returns_every_match_sorted_by_output_values() -> None:
    t = table(
        [(["-"], ['"low"']), ([">= 10"], ['"high"']), ([">= 5"], ['"medium"'])],
        outputs=(("level", '"high","medium","low"'),),
        hit_policy="OUTPUT ORDER",
    )
    assert t.evaluate({"x": 12}) == [{"level": "high"}, {"level": "medium"}, {"level": "low"}]


def test_collect_returns_a_list_of_output_dicts_and_an_empty_list_when_nothing_matches() -> None:
    t = table(SCORE_ROWS, outputs=("level", "points"), hit_policy="COLLECT")
    assert t.evaluate({"x": 6}) == [{"level": "medium", "points": 2}]
    assert table([(['"a"'], ["1"])], hit_policy="COLLECT").evaluate({"x": "b"}) == []


@pytest.mark.parametrize(
    ("aggregation", "x", "expected"),
    [("SUM", 12, 5), ("SUM", 7, 2), ("MIN", 12, 2), ("MAX", 12, 3), ("COUNT", 12, 2), ("COUNT", 1, 1)],
)
def test_collect_aggregations_return_a_single_number(aggregation: str, x: int, expected: int) -> None:
    rows = [([">= 10"], ["3"]), ([">= 5"], ["2"]), (["< 5"], ["1"])]
    t = table(rows, outputs=("points",), hit_policy="COLLECT", aggregation=aggregation)
    assert t.evaluate({"x": x}) == expected


def test_collect_count_counts_distinct_outputs_as_dmn_specifies() -> None:
    t = table([(["-"], ['"police"']), (["-"], ['"fire"']), (["-"], ['"police"'])],
              hit_policy="COLLECT", aggregation="COUNT")
    assert t.evaluate({"x": 1}) == 2


def test_collect_aggregation_with_no_match_is_zero_for_count_and_none_otherwise() -> None:
    for aggregation, expected in (("COUNT", 0), ("SUM", None), ("MIN", None), ("MAX", None)):
        t = table([(['"a"'], ["1"])], hit_policy="COLLECT", aggregation=aggregation)
        assert t.evaluate({"x": "b"}) == expected


def test_sum_over_non_numeric_literals_is_rejected_at_deploy() -> None:
    problems = validate_dmn(dmn([(["-"], ['"x"'])], hit_policy="COLLECT", aggregation="SUM"), "s.dmn")
    assert [p.element for p in problems] == ["decision 'd' rule 'r1' (row 1)"]


def test_aggregation_over_several_outputs_is_rejected() -> None:
    source = dmn([(["-"], ["1", "2"])], outputs=("a", "b"), hit_policy="COLLECT", aggregation="SUM")
    assert any("exactly one output" in p.message for p in validate_dmn(source, "s.dmn"))


def test_aggregation_on_a_policy_other_than_collect_is_rejected() -> None:
    problems = validate_dmn(dmn([(["-"], ["1"])], hit_policy="FIRST", aggregation="SUM"), "s.dmn")
    assert any("only allowed with hit policy COLLECT" in p.message for p in problems)
