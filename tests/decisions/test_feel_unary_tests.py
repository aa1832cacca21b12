"""Each unary-test form of the FEEL subset, evaluated through compiled cells."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.decisions.compiler import compile_cell
from engine.decisions.feel import NOT_A_LITERAL, FeelSyntaxError, parse_literal, parse_unary_tests


def matches(cell: str, value: Any, context: dict[str, Any] | None = None) -> bool:
    return compile_cell(cell).matches(value, context or {})


@pytest.mark.parametrize("cell", ["-", "", "  -  "])
def test_dash_and_empty_cells_match_anything_including_null(cell: str) -> None:
    for value in ("a", 0, None, True, dt.date(2026, 1, 1)):
        assert matches(cell, value)


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ('"暴露垃圾"', "暴露垃圾", True),
        ('"a"', "b", False),
        ('"say \\"hi\\""', 'say "hi"', True),
        ("5", 5, True),
        ("5", 5.0, True),
        ("5", "5", False),
        ("1", True, False),
        ("true", True, True),
        ("true", 1, False),
        ("false", False, True),
        ("null", None, True),
        ("null", "", False),
        ("-3.5", -3.5, True),
    ],
)
def test_literal_cells_match_by_equality_without_type_coercion(cell: str, value: Any, expected: bool) -> None:
    assert matches(cell, value) is expected


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("< 5", 4, True),
        ("< 5", 5, False),
        ("<= 5", 5, True),
        ("> 5", 5, False),
        ("> 5", 5.1, True),
        (">= 3", 3, True),
        (">= 3", 2.99, False),
        ("< -1", -2, True),
        ('< "m"', "apple", True),
        ("< 5", "4", False),
        ("< 5", None, False),
    ],
)
def test_comparison_cells_compare_values_of_the_same_kind_only(cell: str, value: Any, expected: bool) -> None:
    assert matches(cell, value) is expected


def test_comparison_with_a_variable_reads_it_from_the_context() -> None:
    assert matches("> limit", 10, {"limit": 8})
    assert not matches("> limit", 10, {"limit": 12})
    assert matches("<= case.limit", 3, {"case": {"limit": 3}})
    assert not matches("> missing", 10, {})  # null endpoint: no match, not an exception


@pytest.mark.parametrize(
    ("cell", "inside", "edges_included"),
    [("[1..5]", 3, (True, True)), ("(1..5)", 3, (False, False)), ("]1..5[", 3, (False, False)),
     ("[1..5)", 3, (True, False)), ("(1..5]", 3, (False, True))],
)
def test_range_cells_honour_open_and_closed_ends(cell: str, inside: int, edges_included: tuple[bool, bool]) -> None:
    assert matches(cell, inside)
    assert (matches(cell, 1), matches(cell, 5)) == edges_included
    assert not matches(cell, 0) and not matches(cell, 6)


@given(low=st.integers(-1000, 1000), width=st.integers(0, 100), x=st.integers(-1200, 1200))
def test_closed_range_matches_exactly_the_values_between_its_ends(low: int, width: int, x: int) -> None:
    high = low + width
    assert matches(f"[{low}..{high}]", x) is (low <= x <= high)
    assert matches(f"]{low}..{high}[", x) is (low < x < high)


def test_list_cells_match_any_of_their_tests() -> None:
    cell = '"a", "b", 3, > 100, [10..20]'
    assert all(matches(cell, v) for v in ("a", "b", 3, 101, 15))
    assert not any(matches(cell, v) for v in ("c", 4, 100, 21, None))


def test_not_cells_match_everything_their_list_does_not() -> None:
    assert matches('not("a","b")', "c")
    assert matches('not("a","b")', None)
    assert not matches('not("a","b")', "a")
    assert not matches("not([1..5], > 10)", 11)
    assert matches("not([1..5], > 10)", 7)


def test_not_of_a_comparison_that_cannot_be_made_is_still_no_match() -> None:
    # FEEL: "x" < 0 is null and not(null) is null, so a number test never catches strings or null.
    assert not matches("not(< 0)", "x")
    assert not matches("not(< 0)", None)
    assert not matches('not(< 0, "x")', "x")
    assert matches('not(< 0, "x")', 5)


def test_date_literals_compare_with_dates_and_iso_strings() -> None:
    assert matches('>= date("2026-01-01")', dt.date(2026, 3, 1))
    assert matches('>= date("2026-01-01")', "2026-03-01")
    assert matches('>= date("2026-01-01")', dt.datetime(2026, 1, 1, 9, 30))
    assert not matches('[date("2026-01-01")..date("2026-01-31")]', "2026-02-01")
    assert not matches('>= date("2026-01-01")', "not a date")


@pytest.mark.parametrize(
    "cell",
    ['"unterminated', "[1..", "(1..5", "1..5]", '"a" or "b"', "x > 5", "< ", '"a",', "not(", 'date("2026-13-01")',
     "5 5", "? > 3", '"a", not("b")', "a == 1"],
)
def test_text_outside_the_subset_is_a_syntax_error_not_a_false_cell(cell: str) -> None:
    with pytest.raises(FeelSyntaxError):
        parse_unary_tests(cell)


@pytest.mark.parametrize(
    ("text", "value"),
    [('"x"', "x"), ("12", 12), ("1.5", 1.5), ("-2", -2), ("true", True), ("null", None), ("", None),
     ('date("2026-05-01")', dt.date(2026, 5, 1))],
)
def test_output_literals_are_read_natively(text: str, value: Any) -> None:
    assert parse_literal(text) == value


@pytest.mark.parametrize("text", ["amount * 2", "x", '"a" + "b"', "[1..2]"])
def test_anything_but_a_single_literal_is_an_expression_for_the_sandbox(text: str) -> None:
    assert parse_literal(text) is NOT_A_LITERAL
