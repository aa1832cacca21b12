"""A runaway expression or script stops within its budget with a script_limit error instead of occupying a worker."""
from __future__ import annotations

import time

import pytest

from engine.errors import ScriptLimit
from engine.sandbox import evaluate, execute

# Each payload must stop on a budget, never run to completion: they would hang or exhaust memory otherwise.
RUNAWAY_SCRIPTS = {
    "endless_while": "while True:\n    pass",
    "huge_power": "x = 10**10**8",
    "huge_pow_call": "x = pow(10, 10**8)",
    "fromkeys_of_a_huge_range": "x = dict.fromkeys(range(10**8))",
    "huge_string_repetition": "x = 'a' * 10**10",
    "huge_list_repetition": "x = [0] * 10**9",
    "huge_shift": "x = 1 << 10**10",
    "doubling_by_concatenation": "x = 'ab'\nfor i in range(60):\n    x = x + x",
    "doubling_in_place": "x = [1]\nfor i in range(60):\n    x += x",
    "doubling_by_extend": "x = [1]\nfor i in range(60):\n    x.extend(x)",
    "joining_a_huge_string": "x = '-'.join(['a' * 1000] * 100000)",
    "padding_to_a_huge_width": "x = 'a'.ljust(10**10)",
    "huge_format_width": "x = f'{1:>{10**10}}'",
    "huge_percent_width": "x = '%10000000000d' % 1",
    "squaring_forever": "x = 10**100\nwhile True:\n    x = x * x",
    "nested_comprehension": "x = sum(1 for a in range(10**5) for b in range(10**5))",
    "exponential_recursion": "def f(n):\n    return 1 if n == 0 else f(n - 1) + f(n - 1)\nx = f(200)",
    "exponential_lambda_recursion": "f = lambda g, n: 1 if n == 0 else g(g, n - 1) + g(g, n - 1)\nx = f(f, 200)",
    "limit_swallowed_by_the_script": "try:\n    while True:\n        pass\nexcept Exception:\n    pass\nx = 1",
}


@pytest.mark.parametrize("name", sorted(RUNAWAY_SCRIPTS))
def test_a_runaway_script_stops_with_script_limit_and_leaves_the_data_unchanged(name: str) -> None:
    context: dict[str, object] = {"n": 1}
    started = time.monotonic()
    with pytest.raises(ScriptLimit) as stopped:
        execute(RUNAWAY_SCRIPTS[name], context)
    # A hang guard only: the budget is about a second, the bound is generous.
    assert time.monotonic() - started < 10
    assert stopped.value.code == "script_limit" and stopped.value.status == 422
    assert context == {"n": 1}


def test_a_loop_whose_count_comes_from_case_data_is_capped_by_the_same_budget() -> None:
    context: dict[str, object] = {"count": 10**12}
    with pytest.raises(ScriptLimit):
        execute("total = 0\nfor i in range(count):\n    total = total + i", context)
    with pytest.raises(ScriptLimit):
        execute("total = 0\ni = 0\nwhile i < count:\n    i += 1", context)


RUNAWAY_EXPRESSIONS = [
    "10**10**8",
    "pow(10, 10**8)",
    "len('a' * 10**10)",
    "len([0] * 10**9)",
    "len(dict.fromkeys(range(10**8)))",
    "sum(1 for a in range(10**5) for b in range(10**5))",
]


@pytest.mark.parametrize("expression", RUNAWAY_EXPRESSIONS)
def test_a_runaway_expression_stops_with_script_limit(expression: str) -> None:
    with pytest.raises(ScriptLimit):
        evaluate(expression, {})


def test_the_limit_error_says_which_budget_was_exceeded() -> None:
    with pytest.raises(ScriptLimit) as stopped:
        execute("x = [0] * 10**9", {})
    assert "1,000,000,000" in stopped.value.message and "1,000,000" in stopped.value.message


def test_ordinary_arithmetic_repetition_and_loops_stay_allowed() -> None:
    context: dict[str, object] = {"items": [1, 2, 3]}
    execute(
        "a = 2 ** 64\nb = 'ab' * 3\nc = [0] * 5 + [1]\nd = dict.fromkeys(['x', 'y'], 0)\n"
        "e = sum(i * i for i in range(1000))\nf = '-'.join(str(i) for i in items)\n"
        "g = f'{3.14159:.2f}|{7:>4}'\nh = '%05d' % 42\nk = 1 << 10\nm = pow(3, 4)\n"
        "n = 0\nwhile n < 100:\n    n += 1\n",
        context,
    )
    assert context["a"] == 2**64 and context["b"] == "ababab" and context["c"] == [0, 0, 0, 0, 0, 1]
    assert context["d"] == {"x": 0, "y": 0} and context["e"] == sum(i * i for i in range(1000))
    assert context["f"] == "1-2-3" and context["g"] == "3.14|   7" and context["h"] == "00042"
    assert context["k"] == 1024 and context["m"] == 81 and context["n"] == 100


def test_each_evaluation_gets_a_fresh_budget() -> None:
    # Many moderate scripts in a row are fine: the budget is per evaluation, not per process.
    for _ in range(5):
        context: dict[str, object] = {}
        execute("t = 0\nfor i in range(100000):\n    t += i", context)
        assert context["t"] == sum(range(100000))


def test_the_budget_is_configurable_through_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import config

    monkeypatch.setenv("CASEGRID_SCRIPT_OPERATION_LIMIT", "1000")
    config.settings.cache_clear()
    try:
        with pytest.raises(ScriptLimit) as stopped:
            execute("t = 0\nfor i in range(5000):\n    t += i", {})
        assert "1,000 operations" in stopped.value.message
    finally:
        monkeypatch.delenv("CASEGRID_SCRIPT_OPERATION_LIMIT")
        config.settings.cache_clear()
    execute("t = 0\nfor i in range(5000):\n    t += i", {})
