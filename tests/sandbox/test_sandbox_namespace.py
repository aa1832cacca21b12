"""Evaluations share one prebuilt base namespace: nothing one evaluation does is seen by the next, case data
never replaces a guard, and the budget still stops every expression that could run away."""
from __future__ import annotations

import pytest

from engine.errors import SandboxViolation, ScriptFailed, ScriptLimit
from engine.sandbox import evaluate, execute, register_helper, unregister_helper
from engine.sandbox.compiler import compiled_expression
from engine.sandbox.helpers import BASE_NAMESPACE


def test_a_name_bound_by_one_evaluation_is_not_there_in_the_next() -> None:
    context = {"a": 1}
    assert evaluate("(b := a + 1) and b", context) == 2
    assert context == {"a": 1}
    with pytest.raises(NameError):
        evaluate("b", {"a": 1})


def test_a_script_rebinding_a_helper_or_builtin_changes_nothing_for_later_evaluations() -> None:
    context: dict[str, object] = {}
    execute("date = 5\nlen = 3\ntoday = 'never'", context)
    assert context == {"date": 5, "len": 3, "today": "never"}
    assert evaluate("len(items)", {"items": [1, 2]}) == 2
    assert str(evaluate("date(2026, 1, 2)", {})) == "2026-01-02"


def test_a_function_defined_by_a_script_is_gone_for_the_next_evaluation() -> None:
    execute("def helper_like():\n    return 1\nx = helper_like()", {})
    with pytest.raises(NameError):
        evaluate("helper_like()", {})


def test_hostile_evaluations_leave_the_base_namespace_exactly_as_it_was() -> None:
    before = dict(BASE_NAMESPACE)
    attempts = [
        ("(len := 1)", "eval"),
        ("date.year_zero = 1", "exec"),
        ("today = None\ncontains = None", "exec"),
        ("x = [1]\nx.append(len)", "exec"),
    ]
    for source, mode in attempts:
        try:
            evaluate(source, {}) if mode == "eval" else execute(source, {})
        except (SandboxViolation, ScriptLimit, ScriptFailed):
            pass
    assert BASE_NAMESPACE.keys() == before.keys()
    assert all(BASE_NAMESPACE[name] is value for name, value in before.items())


def test_case_data_spelled_like_a_guard_does_not_replace_it() -> None:
    def hijack(*_args: object) -> str:
        return "hijacked"

    for guard in ("_getitem_", "_getattr_", "_getiter_", "_mul_", "_write_"):
        context = {"items": [1, 2], "name": "ab", guard: hijack}
        assert evaluate("items[0]", context) == 1
        assert evaluate("name.upper()", context) == "AB"
        assert evaluate("[i for i in items]", context) == [1, 2]
        assert evaluate("name * 2", context) == "abab"


def test_case_data_shadows_a_helper_of_the_same_name() -> None:
    assert evaluate("date", {"date": "2026-01-02"}) == "2026-01-02"
    assert evaluate("len", {"len": 3}) == 3


def test_comprehensions_and_lambdas_read_the_case_data() -> None:
    context = {"items": [1, 5, 9], "limit": 4}
    assert evaluate("[x for x in items if x > limit]", context) == [5, 9]
    assert evaluate("any(x > limit for x in items)", context) is True
    assert evaluate("sorted(items, key=lambda x: -x * limit)", context) == [9, 5, 1]


@pytest.mark.parametrize("expression", [
    "'a' * 10**10",
    "10**10**8",
    "sum(range(10**12))",
    "[0 for i in range(10**9)]",
    "len([*items, *items] * 10**9)",
    "f'{1:>{10**10}}'",
    "name.ljust(10**10)",
])
def test_every_expression_that_could_run_away_still_has_a_budget(expression: str) -> None:
    assert compiled_expression(expression)[1] is None  # never the budget-free path
    with pytest.raises(ScriptLimit):
        evaluate(expression, {"items": [1], "name": "a"})


def test_expressions_without_loops_stores_or_checked_operators_run_on_the_shared_base() -> None:
    assert compiled_expression('priority == "high" and amount > 500 or len(items) > 3')[1] == ()
    assert compiled_expression("items[0] > 1")[1] == ("_getitem_",)
    assert compiled_expression("(b := 1)")[1] is None
    assert compiled_expression("name.upper()")[1] is None


def test_a_helper_registered_later_is_seen_and_one_unregistered_is_gone() -> None:
    with pytest.raises(NameError):
        evaluate("triple(2)", {})
    register_helper("triple", lambda x: 3 * x)
    try:
        assert evaluate("triple(2)", {}) == 6
    finally:
        unregister_helper("triple")
    with pytest.raises(NameError):
        evaluate("triple(2)", {})


def test_an_evaluation_inside_a_helper_has_a_budget_of_its_own() -> None:
    register_helper("inner_count", lambda n: evaluate("len([i for i in range(n)])", {"n": n}))
    try:
        assert evaluate("[inner_count(k) for k in range(3)]", {}) == [0, 1, 2]
        with pytest.raises(ScriptLimit):
            evaluate("inner_count(10**9)", {})
        # The runner that stopped is clean for the next evaluation.
        assert evaluate("inner_count(5)", {}) == 5
    finally:
        unregister_helper("inner_count")


def test_threads_evaluating_at_once_each_keep_their_own_budget_and_data() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(n: int) -> set[int]:
        return {evaluate("sum([i for i in range(n)])", {"n": n}) for _ in range(200)}

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, [10, 20, 30, 40]))
    assert results == [{45}, {190}, {435}, {780}]
