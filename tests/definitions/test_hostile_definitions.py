"""Validation never ends in an internal error: text nested too deeply to compile is one problem line naming its element."""
from __future__ import annotations

import pytest

from engine.definitions.bundle import Bundle
from engine.definitions.validation import validate_bundle
from engine.errors import SandboxViolation
from engine.sandbox import check_syntax, evaluate
from tests.core.helpers import two_step_bundle

PROCESS = "processes/two_step.bpmn"
DEEP = {
    "3000_terms": "marked = " + " + ".join(["amount"] * 3000),
    "900_unary_minuses": "marked = " + "-" * 900 + "amount",
    "deep_brackets": "marked = " + "[" * 5000 + "]" * 5000,
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_a_script_nested_too_deeply_is_one_problem_naming_the_task(name: str) -> None:
    xml = two_step_bundle().files[PROCESS].replace("marked = amount * 2", DEEP[name])
    problems, _ = validate_bundle(two_step_bundle().overlay(Bundle({PROCESS: xml})))
    assert [(p.file, p.element) for p in problems] == [(PROCESS, "mark")]
    assert "nested too deeply" in problems[0].message or "syntax error" in problems[0].message


@pytest.mark.parametrize("source", [" + ".join(["a"] * 3000), "-" * 900 + "a"], ids=["3000_terms", "900_minuses"])
def test_check_syntax_and_evaluate_refuse_deep_text_with_a_sandbox_error(source: str) -> None:
    assert "nested too deeply" in (check_syntax(source, "eval") or "")
    with pytest.raises(SandboxViolation):
        evaluate(source, {"a": 1})
