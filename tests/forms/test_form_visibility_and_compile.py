"""Conditional visibility rules and the once-per-definition validator."""
from __future__ import annotations

from typing import Any

import pytest

import engine.forms.definition as definition_module
from engine.forms import FormDefinition, load_form
from engine.forms.visibility import VisibleIf, visible_fields


def test_field_is_visible_only_when_the_controller_holds_a_listed_value(disposal: FormDefinition) -> None:
    assert "return_reason" in disposal.visible_fields({"decision": "return"})
    assert "return_reason" not in disposal.visible_fields({"decision": "done"})
    assert "return_reason" not in disposal.visible_fields({})


def test_fields_without_a_rule_are_always_visible(disposal: FormDefinition) -> None:
    assert {"decision", "cost", "photos"} <= disposal.visible_fields({})


def test_visibility_chains_through_a_hidden_controller(disposal: FormDefinition) -> None:
    assert "return_note" in disposal.visible_fields({"decision": "return", "return_reason": "not_ours"})
    assert "return_note" not in disposal.visible_fields({"decision": "done", "return_reason": "not_ours"})


def test_multi_select_controller_shows_the_field_when_any_listed_option_is_chosen() -> None:
    rules: dict[str, VisibleIf | None] = {"tags": None, "detail": VisibleIf("tags", ("gas",))}
    assert visible_fields(rules, {"tags": ["water", "gas"]}) == {"tags", "detail"}
    assert visible_fields(rules, {"tags": ["water"]}) == {"tags"}


def test_boolean_rule_does_not_confuse_true_with_one() -> None:
    rules: dict[str, VisibleIf | None] = {"n": None, "detail": VisibleIf("n", (True,))}
    assert visible_fields(rules, {"n": 1}) == {"n"}
    assert visible_fields(rules, {"n": True}) == {"n", "detail"}


def test_boolean_checkbox_controls_visibility(acceptance: FormDefinition) -> None:
    assert acceptance.validate_submission({"outcome": "accept", "urgent": True, "urgent_note": "领导交办"}) == {
        "outcome": "accept", "urgent": True, "urgent_note": "领导交办"}
    assert acceptance.validate_submission({"outcome": "accept", "urgent": "false", "urgent_note": "x"}) == {
        "outcome": "accept", "urgent": False}


def test_validator_is_compiled_once_per_definition(monkeypatch: pytest.MonkeyPatch, small_doc: dict[str, Any],
                                                   as_text: Any) -> None:
    built: list[object] = []
    real = definition_module.Draft202012Validator

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(definition_module, "Draft202012Validator", counting)
    form = load_form(as_text(small_doc), "small.json")
    validator = form.validator
    for _ in range(5):
        form.validate_submission({"decision": "ok"})
    assert len(built) == 1
    assert form.validator is validator
