"""What analysts' expressions and scripts must keep being able to do."""
from __future__ import annotations

import pytest

from engine.sandbox import evaluate, execute
from engine.sandbox.compiler import cache_info, clear_cache


def test_expression_reads_task_data() -> None:
    assert evaluate("severity >= 3 and category == 'gas'", {"severity": 4, "category": "gas"}) is True


def test_expression_does_not_change_context() -> None:
    context = {"a": 1}
    assert evaluate("(b := a + 1)", context) == 2
    assert context == {"a": 1}


def test_expression_may_be_indented_as_in_bpmn_xml() -> None:
    assert evaluate("\n      a + 1\n    ", {"a": 1}) == 2


def test_safe_builtins_are_available() -> None:
    context = {"xs": [3, 1, 2]}
    assert evaluate("(len(xs), min(xs), max(xs), sum(xs), sorted(xs), abs(-1), round(2.5))", context) == (
        3, 1, 3, 6, [1, 2, 3], 1, 2,
    )
    assert evaluate("list(zip(range(2), 'ab')) + list(enumerate(['x']))", {}) == [(0, "a"), (1, "b"), (0, "x")]
    assert evaluate("any(x > 2 for x in xs) and all(isinstance(x, int) for x in xs)", context) is True


def test_script_assignment_becomes_task_data() -> None:
    context: dict[str, object] = {"a": 1}
    execute("x = a + 1", context)
    assert context == {"a": 1, "x": 2}


def test_script_mutates_lists_and_dicts_in_place() -> None:
    context: dict[str, object] = {"items": [1], "d": {}}
    execute("items.append(3)\nd['k'] = 1\nd['n'] = {'deep': [1]}\nd['n']['deep'].append(2)", context)
    assert context == {"items": [1, 3], "d": {"k": 1, "n": {"deep": [1, 2]}}}


def test_script_loops_comprehensions_conditionals_and_fstrings() -> None:
    script = """
total = 0
for i, item in enumerate(items):
    if item['n'] > 1:
        total += item['n'] * i
    else:
        total -= 1
names = [item['name'].upper() for item in items if item['n']]
lookup = {item['name']: item['n'] for item in items}
label = f"{len(names)} items, total {total:>4}"
"""
    context: dict[str, object] = {"items": [{"name": "a", "n": 1}, {"name": "b", "n": 2}]}
    execute(script, context)
    assert context["total"] == 1
    assert context["names"] == ["A", "B"]
    assert context["lookup"] == {"a": 1, "b": 2}
    assert context["label"] == "2 items, total    1"


def test_script_local_functions_work_but_are_not_stored() -> None:
    context: dict[str, object] = {}
    execute("def double(v):\n    return v * 2\nresult = double(21)\nsquare = lambda v: v * v\n", context)
    assert context == {"result": 42}


def test_script_may_raise_to_fail_a_task() -> None:
    with pytest.raises(ValueError, match="missing applicant"):
        execute("raise ValueError('missing applicant')", {})


def test_script_deleting_a_variable_removes_it_from_task_data() -> None:
    context: dict[str, object] = {"tmp": 1, "keep": 2}
    execute("del tmp", context)
    assert context == {"keep": 2}


def test_script_dates_are_stored_as_iso_strings() -> None:
    context: dict[str, object] = {}
    execute("d = date(2024, 10, 1)\nat = datetime(2024, 10, 1, 9, 30)\nnested = {'due': [d]}", context)
    assert context == {"d": "2024-10-01", "at": "2024-10-01T09:30:00+08:00", "nested": {"due": ["2024-10-01"]}}


def test_data_field_named_like_a_helper_shadows_it() -> None:
    context: dict[str, object] = {"date": "2024-10-01"}
    execute("copy = date", context)
    assert context == {"date": "2024-10-01", "copy": "2024-10-01"}


def test_helpers_are_not_stored_in_task_data() -> None:
    context: dict[str, object] = {}
    execute("x = days_between('2024-10-01', '2024-10-08')", context)
    assert context == {"x": 7}


def test_failing_script_leaves_context_unchanged() -> None:
    context: dict[str, object] = {"items": [1], "n": 1}
    with pytest.raises(ZeroDivisionError):
        execute("items.append(2)\nn = 5\nx = 1 / 0", context)
    assert context == {"items": [1], "n": 1}


def test_each_distinct_source_is_compiled_once() -> None:
    clear_cache()
    for value in range(50):
        evaluate("a * 2 + 1", {"a": value})
    info = cache_info()
    assert info["misses"] == 1
    assert info["hits"] == 49


def test_same_text_in_eval_and_exec_mode_is_cached_separately() -> None:
    clear_cache()
    evaluate("a", {"a": 1})
    execute("a", {"a": 1})
    assert cache_info()["misses"] == 2
