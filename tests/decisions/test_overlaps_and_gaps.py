"""Static analysis: UNIQUE overlaps are rejected at deploy, gaps in finite domains are found."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.decisions import find_gaps, find_overlaps, parse_dmn, validate_dmn

from .dmn_builder import dmn, fixture, table


def test_unique_table_with_overlapping_rules_is_rejected_naming_both_rows() -> None:
    (problem,) = validate_dmn(fixture("overlapping_routing.dmn"), "routing.dmn")
    assert problem.element == "decision 'route_department' rule 'short_rubbish' (row 1) and rule 'long_any' (row 2)"
    assert 'category = "exposed_rubbish", hours = 4' in problem.message


def test_find_overlaps_gives_an_input_both_rules_match() -> None:
    t = table([(['"a"', "[0..10]"], ["1"]), (["-", "> 10"], ["2"]), (['not("a")', "(5..20)"], ["3"])],
              inputs=("kind", "n"), hit_policy="FIRST")
    overlaps = find_overlaps(t)
    assert [(o.first.row, o.second.row) for o in overlaps] == [(2, 3)]
    example = overlaps[0].example
    assert t.compiled is not None
    assert {r.rule.row for r in t.compiled.rules if r.matches([example["kind"], example["n"]], {})} == {2, 3}


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("[1..5]", "[5..9]", True),
        ("[1..5)", "[5..9]", False),
        ("< 5", ">= 5", False),
        ("<= 5", ">= 5", True),
        ('"a","b"', '"b","c"', True),
        ('"a","b"', '"c"', False),
        ('not("a")', '"a"', False),
        ('not("a")', 'not("b")', True),
        ("not([1..5])", "[2..4]", False),
        ("not([1..5])", "[2..6]", True),
        ('< "m"', '"apple"', True),
        ('> "m"', '"apple"', False),
        ('>= date("2026-01-01")', 'date("2025-12-31")', False),
        ('>= date("2026-01-01")', '< date("2026-01-02")', True),
        ("5", '"5"', False),
        ("-", "null", True),
    ],
)
def test_overlap_detection_intersects_each_cell_form(first: str, second: str, overlap: bool) -> None:
    t = table([([first], ["1"]), ([second], ["2"])], hit_policy="FIRST")
    assert bool(find_overlaps(t)) is overlap


def test_overlap_respects_the_columns_input_values() -> None:
    # Outside the allowed values "x" could match both, but only "a" and "b" can ever arrive.
    t = table([(['not("a")'], ["1"]), (['not("b")'], ["2"])], inputs=(("x", '"a","b"'),), hit_policy="FIRST")
    assert find_overlaps(t) == []


def test_cells_that_read_variables_are_never_reported_as_overlapping() -> None:
    t = table([(["> limit"], ["1"]), (["> 3"], ["2"])], hit_policy="UNIQUE")
    assert find_overlaps(t) == []


def test_incomplete_finite_table_reports_one_missing_combination() -> None:
    (problem,) = validate_dmn(fixture("incomplete_routing.dmn"), "routing.dmn")
    assert problem.element == "decision 'route_department'"
    assert 'no rule matches category = "illegal_structure", street = "Huangbei"' in problem.message


def test_find_gaps_lists_every_missing_combination_in_domain_order() -> None:
    source = fixture("incomplete_routing.dmn")
    # Deploy refuses the table, so analyse it the way the responsibility-matrix walker would:
    # through a COLLECT copy (the hit policy does not change which inputs rules cover).
    (t,) = parse_dmn(source.replace(b'hitPolicy="UNIQUE"', b'hitPolicy="COLLECT"'), "routing.dmn")
    assert find_gaps(t) == [{"category": "illegal_structure", "street": "Huangbei"}]
    gaps = find_gaps(t, {"street": ["Dongmen", "Huangbei", "Nanhu", "Luohu"]})
    assert gaps == [
        {"category": "illegal_structure", "street": "Huangbei"},
        {"category": "illegal_structure", "street": "Luohu"},
    ]
    assert len(find_gaps(t, {"street": ["Huangbei", "Luohu"]}, limit=1)) == 1


def test_find_gaps_accepts_domains_by_label_id_or_expression() -> None:
    t = table([(['"a"', "-"], ["1"])], inputs=("case.kind", "case.street"), hit_policy="COLLECT")
    by_expression = find_gaps(t, {"case.kind": ["a", "b"], "case.street": ["s"]})
    by_id = find_gaps(t, {"in1": ["a", "b"], "in2": ["s"]})
    assert by_expression == by_id == [{"case.kind": "b", "case.street": "s"}]


def test_find_gaps_without_a_finite_domain_says_which_column_lacks_one() -> None:
    t = table([(["< 5"], ["1"])], inputs=("score",), hit_policy="COLLECT")
    with pytest.raises(ValueError, match="column 'score' has no finite domain"):
        find_gaps(t)
    assert find_gaps(t, {"score": [1, 5, 7]}) == [{"score": 5}, {"score": 7}]


def test_complete_responsibility_matrix_has_no_gaps_and_no_overlaps() -> None:
    route, _notify = parse_dmn(fixture("route_department.dmn"), "routing.dmn")
    assert find_gaps(route) == [] and find_overlaps(route) == []


def test_gap_check_is_skipped_for_collect_tables_where_no_match_is_legitimate() -> None:
    source = dmn([(['"a"'], ["1"])], inputs=(("x", '"a","b"'),), hit_policy="COLLECT")
    assert validate_dmn(source, "c.dmn") == []


def test_gap_check_is_skipped_when_a_column_has_no_enumerated_input_values() -> None:
    assert validate_dmn(dmn([(['"a"'], ["1"])], inputs=("x",)), "u.dmn") == []


_bound = st.integers(0, 10)
_numeric_test = st.one_of(
    _bound.map(str),
    st.tuples(st.sampled_from(["<", "<=", ">", ">="]), _bound).map(lambda t: f"{t[0]} {t[1]}"),
    st.tuples(st.sampled_from("[(]"), _bound, _bound, st.sampled_from("])[")).map(
        lambda t: f"{t[0]}{min(t[1], t[2])}..{max(t[1], t[2])}{t[3]}"
    ),
)
_numeric_cell = st.one_of(
    st.just("-"),
    st.lists(_numeric_test, min_size=1, max_size=3).map(",".join),
    st.lists(_numeric_test, min_size=1, max_size=2).map(lambda ts: f"not({','.join(ts)})"),
)
# Integer endpoints: any non-empty intersection contains an integer or a half-integer; the
# column has no inputValues, so values of every other kind can arrive too.
_GRID = [n / 2 for n in range(-6, 27)] + [None, True, False, "a"]


@settings(max_examples=300, deadline=None)
@given(first=_numeric_cell, second=_numeric_cell)
def test_overlap_detection_agrees_with_brute_force_on_numeric_cells(first: str, second: str) -> None:
    t = table([([first], ["1"]), ([second], ["2"])], hit_policy="FIRST")
    assert t.compiled is not None
    a, b = (r.cells[0] for r in t.compiled.rules)
    brute = any(a.matches(x, {}) and b.matches(x, {}) for x in _GRID)
    assert bool(find_overlaps(t)) is brute


_letter_cell = st.one_of(
    st.just("-"),
    st.lists(st.sampled_from('"a" "b" "c"'.split()), min_size=1, max_size=2).map(",".join),
    st.sampled_from('"a" "b" "c"'.split()).map(lambda v: f"not({v})"),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(_letter_cell, st.sampled_from(["< 2", ">= 2", "[1..2]", "-"])), max_size=4))
def test_find_gaps_agrees_with_brute_force_over_finite_domains(rows: list[tuple[str, str]]) -> None:
    t = table([([a, b], ["1"]) for a, b in rows], inputs=("k", "n"), hit_policy="COLLECT")
    assert t.compiled is not None
    domains = {"k": ["a", "b", "c"], "n": [1, 2, 3]}
    brute = [
        {"k": k, "n": n}
        for k in domains["k"]
        for n in domains["n"]
        if not any(r.matches([k, n], {}) for r in t.compiled.rules)
    ]
    assert find_gaps(t, domains) == brute
