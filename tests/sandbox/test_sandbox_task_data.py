"""After a script, task data is JSON: values JSON cannot hold are refused naming the variable; dates format."""
from __future__ import annotations

import pytest

from engine.errors import ScriptFailed
from engine.sandbox import execute

NOT_JSON = {
    "nan": ("x = float('nan')", "x"),
    "infinity": ("y = float('inf')", "y"),
    "set": ("tags = {1, 2}", "tags"),
    "generator": ("g = (i for i in range(3))", "g"),
    "range": ("r = range(3)", "r"),
    "huge_int": ("big = 10**5000", "big"),
    "nested_nan": ("d = {'a': [1, float('-inf')]}", "d"),
    "tuple_key": ("d = {(1, 2): 'x'}", "d"),
    "frozenset_in_list": ("xs = [frozenset([1])]", "xs"),
    "too_deep": ("x = []\nfor i in range(5000):\n    x = [x]", "x"),
}


@pytest.mark.parametrize("name", sorted(NOT_JSON))
def test_a_value_json_cannot_hold_is_refused_naming_the_variable_and_nothing_changes(name: str) -> None:
    script, variable = NOT_JSON[name]
    context: dict[str, object] = {"n": 1}
    with pytest.raises(ScriptFailed) as refused:
        execute(script, context)
    assert f"'{variable}'" in refused.value.message
    assert context == {"n": 1}


def test_json_values_tuples_and_dates_are_stored_as_json() -> None:
    context: dict[str, object] = {}
    execute("a = (1, 2)\nb = {'k': [1.5, None, True, 'x']}\nc = today()\nd = {1: 'one'}\ne = 10**100", context)
    assert context["a"] == [1, 2] and context["b"] == {"k": [1.5, None, True, "x"]}
    assert isinstance(context["c"], str) and context["d"] == {"1": "one"} and context["e"] == 10**100


def test_dates_format_with_strftime_and_format_specs() -> None:
    context: dict[str, object] = {}
    execute(
        "a = now().strftime('%Y-%m-%d')\nb = f'{today():%Y-%m-%d}'\n"
        "c = date(2024, 10, 1).strftime('%Y年%m月%d日')\nd = f'{datetime(2024, 10, 1, 9, 30):%H:%M}'",
        context,
    )
    assert len(context["a"]) == 10 and context["a"] == context["b"]
    assert context["c"] == "2024年10月01日" and context["d"] == "09:30"
