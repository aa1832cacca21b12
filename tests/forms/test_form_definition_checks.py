"""validate_form_definition / load_form: every problem names the file and the field."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DefinitionInvalid, Problem
from engine.forms import load_form, validate_form_definition

FIXTURES = Path(__file__).parent / "fixtures"
FILE = "forms/small.json"
ToText = Callable[[dict[str, Any]], str]


def problems_of(doc: dict[str, Any], as_text: ToText, filename: str = FILE) -> list[Problem]:
    return validate_form_definition(as_text(doc), filename)


def test_sample_forms_are_valid() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        assert validate_form_definition(path.read_bytes(), f"forms/{path.name}") == []


def test_small_form_is_valid(small_doc: dict[str, Any], as_text: ToText) -> None:
    assert problems_of(small_doc, as_text) == []


def test_text_that_is_not_json_is_one_problem_naming_the_file() -> None:
    problems = validate_form_definition('{"key": "small",', FILE)
    assert len(problems) == 1
    assert problems[0].file == FILE
    assert "not JSON" in problems[0].message


def test_bytes_that_are_not_utf8_are_a_problem() -> None:
    problems = validate_form_definition(b'{"key": "\xff"}', FILE)
    assert "UTF-8" in problems[0].message


def test_utf8_bom_is_accepted(small_doc: dict[str, Any], as_text: ToText) -> None:
    assert validate_form_definition(b"\xef\xbb\xbf" + as_text(small_doc).encode(), FILE) == []


def test_missing_top_level_member_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    del small_doc["title"]
    problems = problems_of(small_doc, as_text)
    assert any("title" in p.message for p in problems)


def test_key_must_equal_file_name(small_doc: dict[str, Any], as_text: ToText) -> None:
    problems = problems_of(small_doc, as_text, "forms/other.json")
    assert [(p.element, p.file) for p in problems] == [("key", "forms/other.json")]


def test_schema_that_is_not_valid_2020_12_is_a_problem_naming_the_field(
    small_doc: dict[str, Any], as_text: ToText
) -> None:
    small_doc["schema"]["properties"]["reason"]["minLength"] = "five"
    problems = problems_of(small_doc, as_text)
    assert len(problems) == 1
    assert problems[0].element == "reason"
    assert "not a valid JSON Schema 2020-12" in problems[0].message


def test_schema_declaring_another_draft_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["$schema"] = "http://json-schema.org/draft-07/schema#"
    assert [p.element for p in problems_of(small_doc, as_text)] == ["schema"]


def test_remote_ref_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["properties"]["reason"] = {"$ref": "https://example.com/reason.json", "type": "string"}
    assert any("not local" in p.message for p in problems_of(small_doc, as_text))


def test_ui_schema_naming_a_field_that_does_not_exist_is_a_problem(
    small_doc: dict[str, Any], as_text: ToText
) -> None:
    small_doc["uiSchema"]["resaon"] = {"ui:title": {"zh": "原因"}}
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["resaon"]
    assert "does not exist" in problems[0].message


def test_required_naming_a_field_that_does_not_exist_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["required"].append("ghost")
    assert [p.element for p in problems_of(small_doc, as_text)] == ["ghost"]


def test_incomplete_ui_order_is_a_problem_naming_the_missing_field(
    small_doc: dict[str, Any], as_text: ToText
) -> None:
    small_doc["uiSchema"]["ui:order"] = ["decision"]
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "incomplete" in problems[0].message


def test_ui_order_naming_an_unknown_field_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["ui:order"] = ["decision", "reason", "extra"]
    assert [p.element for p in problems_of(small_doc, as_text)] == ["extra"]


def test_ui_order_listing_a_field_twice_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["ui:order"] = ["decision", "reason", "decision"]
    assert [p.element for p in problems_of(small_doc, as_text)] == ["decision"]


def test_unknown_widget_is_a_problem_naming_the_field(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:widget"] = "richtext"
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "richtext" in problems[0].message


def test_widget_that_cannot_edit_the_field_type_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:widget"] = "number"
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "number" in problems[0].message


def test_unknown_ui_key_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    # A typo like ui:visibleif would otherwise silently make a conditional field always visible.
    small_doc["uiSchema"]["reason"]["ui:visibleif"] = {"field": "decision", "in": ["return"]}
    assert [p.element for p in problems_of(small_doc, as_text)] == ["reason"]


def test_visible_if_referencing_an_unknown_field_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:visibleIf"]["field"] = "desicion"
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "desicion" in problems[0].message


def test_visible_if_value_that_is_not_an_option_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:visibleIf"]["in"] = ["retrun"]
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "retrun" in problems[0].message


def test_visible_if_cycle_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["properties"]["note"] = {"type": "string"}
    small_doc["uiSchema"]["ui:order"].append("note")
    small_doc["uiSchema"]["note"] = {"ui:title": {"zh": "备注"}, "ui:visibleIf": {"field": "reason", "in": ["x"]}}
    small_doc["uiSchema"]["reason"]["ui:visibleIf"] = {"field": "note", "in": ["y"]}
    problems = problems_of(small_doc, as_text)
    assert {p.element for p in problems} == {"note", "reason"}
    assert all("cycle" in p.message for p in problems)


def test_field_without_ui_title_is_missing_its_chinese_label(small_doc: dict[str, Any], as_text: ToText) -> None:
    del small_doc["uiSchema"]["reason"]["ui:title"]
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["reason"]
    assert "Chinese label" in problems[0].message


def test_field_with_only_an_english_label_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:title"] = {"en": "Reason"}
    assert [p.element for p in problems_of(small_doc, as_text)] == ["reason"]


def test_field_absent_from_ui_schema_is_missing_its_chinese_label(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["properties"]["note"] = {"type": "string"}
    small_doc["uiSchema"]["ui:order"].append("note")
    assert [p.element for p in problems_of(small_doc, as_text)] == ["note"]


def test_options_without_labels_are_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    del small_doc["uiSchema"]["decision"]["ui:enumNames"]
    assert [p.element for p in problems_of(small_doc, as_text)] == ["decision"]


def test_option_labels_must_match_the_enum_one_to_one(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["decision"]["ui:enumNames"].pop()
    problems = problems_of(small_doc, as_text)
    assert [p.element for p in problems] == ["decision"]
    assert "1 labels for 2" in problems[0].message


def test_option_label_without_chinese_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["decision"]["ui:enumNames"][0] = {"en": "OK"}
    assert [p.element for p in problems_of(small_doc, as_text)] == ["decision"]


def test_field_without_a_single_type_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["schema"]["properties"]["reason"]["type"] = ["string", "null"]
    assert [p.element for p in problems_of(small_doc, as_text)] == ["reason"]


def test_field_name_that_is_not_an_identifier_is_a_problem(small_doc: dict[str, Any], as_text: ToText) -> None:
    # Field names end up in BPMN conditions, HTML names and dotted error paths.
    small_doc["schema"]["properties"]["return reason"] = {"type": "string"}
    assert any(p.element == "schema.properties" for p in problems_of(small_doc, as_text))


def test_several_problems_are_all_reported(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:visibleIf"]["field"] = "nope"
    del small_doc["uiSchema"]["decision"]["ui:title"]
    assert {p.element for p in problems_of(small_doc, as_text)} == {"reason", "decision"}


def test_problem_prints_as_file_field_message(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:widget"] = "richtext"
    assert str(problems_of(small_doc, as_text)[0]).startswith(f"{FILE}: reason: ")


def test_load_form_raises_definition_invalid_with_the_problems(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:widget"] = "richtext"
    with pytest.raises(DefinitionInvalid) as caught:
        load_form(as_text(small_doc), FILE)
    assert caught.value.problems[0].element == "reason"


def test_load_form_orders_fields_by_ui_order(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["ui:order"] = ["reason", "decision"]
    form = load_form(as_text(small_doc), FILE)
    assert [f.name for f in form.fields] == ["reason", "decision"]


def test_without_ui_order_fields_follow_the_schema(small_doc: dict[str, Any], as_text: ToText) -> None:
    del small_doc["uiSchema"]["ui:order"]
    assert [f.name for f in load_form(as_text(small_doc), FILE).fields] == ["decision", "reason"]


def test_widget_is_inferred_from_the_schema_when_not_given(small_doc: dict[str, Any], as_text: ToText) -> None:
    props = small_doc["schema"]["properties"]
    props.update(
        n={"type": "integer"}, d={"type": "string", "format": "date"}, b={"type": "boolean"},
        m={"type": "array", "items": {"type": "string", "enum": ["a"]}},
    )
    for name in ("n", "d", "b"):
        small_doc["uiSchema"][name] = {"ui:title": {"zh": name}}
    small_doc["uiSchema"]["m"] = {"ui:title": {"zh": "m"}, "ui:enumNames": [{"zh": "甲"}]}
    del small_doc["uiSchema"]["ui:order"]
    form = load_form(as_text(small_doc), FILE)
    widgets = {f.name: f.widget for f in form.fields}
    assert (widgets["n"], widgets["d"], widgets["b"], widgets["m"]) == ("number", "date", "checkbox", "checkboxes")


def test_form_file_schema_is_itself_a_valid_2020_12_schema() -> None:
    from jsonschema import Draft202012Validator

    from engine.forms.checks import form_file_validator

    Draft202012Validator.check_schema(form_file_validator().schema)
    assert json.dumps(form_file_validator().schema)


def test_options_from_the_case_belong_on_a_choice_field(small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["decision"]["ui:optionsFromCase"] = "allowed"
    assert problems_of(small_doc, as_text) == []
    small_doc["uiSchema"]["reason"]["ui:optionsFromCase"] = "allowed"
    assert [(p.element, p.key) for p in problems_of(small_doc, as_text)] == [("reason", "form.options_need_choice")]


def test_a_code_named_for_the_pages_is_marked_on_a_one_line_text_field_with_a_known_source(
        small_doc: dict[str, Any], as_text: ToText) -> None:
    small_doc["uiSchema"]["reason"]["ui:widget"] = "text"
    small_doc["uiSchema"]["reason"]["ui:names"] = "organisation"
    assert problems_of(small_doc, as_text) == []
    assert load_form(as_text(small_doc), FILE).field_map["reason"].names == "organisation"
    small_doc["uiSchema"]["reason"]["ui:names"] = "category"
    assert problems_of(small_doc, as_text) == []
    # A source nobody names codes from is a problem of the file, not a field that silently shows codes.
    small_doc["uiSchema"]["reason"]["ui:names"] = "departments"
    assert problems_of(small_doc, as_text)
    # A choice field names its options with ui:enumNames; a long text is not a code.
    small_doc["uiSchema"]["reason"]["ui:names"] = "organisation"
    small_doc["uiSchema"]["reason"]["ui:widget"] = "textarea"
    small_doc["uiSchema"]["decision"]["ui:names"] = "category"
    assert sorted((p.element, p.key) for p in problems_of(small_doc, as_text)) == [
        ("decision", "form.names_not_text"), ("reason", "form.names_not_text")]
