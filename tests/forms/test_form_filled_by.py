"""ui:filledBy: a field only a message start (or an event rule) fills is never a person's input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.forms import FormDefinition, load_form, validate_form_definition
from engine.forms.filling import Filler
from web.forms import render_form

ALARM = {"title": "燃气泄漏", "incident_type": "gas_leak", "casualties": 0, "people_affected": 0,
         "location_class": "residential", "location": "桂园路8栋"}


@pytest.fixture(scope="module")
def alarm() -> FormDefinition:
    return load_form(Path("forms/em_alarm.json").read_bytes(), "forms/em_alarm.json")


def test_a_persons_value_for_a_field_the_message_fills_is_a_field_error_in_chinese(alarm: FormDefinition) -> None:
    with pytest.raises(InvalidInput) as refused:
        alarm.validate_submission({**ALARM, "origin_case": "不存在的案件"})
    assert refused.value.details == {"origin_case": ["“来源案件”由联动消息自动填写，不能手工填写"]}


def test_the_refusal_reads_in_english_and_comes_with_the_forms_other_errors(alarm: FormDefinition) -> None:
    with pytest.raises(InvalidInput) as refused:
        alarm.validate_submission({**ALARM, "title": "", "origin_case": "LH-2026-000001"}, lang="en")
    assert refused.value.details == {
        "title": ["“Title” is required"],
        "origin_case": ["“Originating case” is filled in by the linking message and cannot be entered by hand"]}


def test_a_person_leaving_it_empty_is_no_answer_and_accepted(alarm: FormDefinition) -> None:
    assert "origin_case" not in alarm.validate_submission({**ALARM, "origin_case": "  "})


def test_a_message_start_fills_it(alarm: FormDefinition) -> None:
    cleaned = alarm.validate_submission({**ALARM, "origin_case": "LH-2026-000001"}, filler=Filler.MESSAGE)
    assert cleaned["origin_case"] == "LH-2026-000001"


def test_an_event_rule_may_not_fill_a_field_only_a_message_fills(alarm: FormDefinition) -> None:
    with pytest.raises(InvalidInput) as refused:
        alarm.validate_submission({**ALARM, "origin_case": "LH-2026-000001"}, filler=Filler.RULES)
    assert list(refused.value.details) == ["origin_case"]


def test_the_hot_spots_report_count_is_the_event_rules_to_fill() -> None:
    form = load_form(Path("forms/hs_start.json").read_bytes(), "forms/hs_start.json")
    assert form.validate_submission({"title": "热点", "report_count": 3}, filler=Filler.RULES)["report_count"] == 3
    with pytest.raises(InvalidInput) as refused:
        form.validate_submission({"title": "热点", "report_count": 3})
    assert refused.value.details == {"report_count": ["“上报次数”由事件规则自动填写，不能手工填写"]}


def test_the_start_form_shows_no_input_for_it_and_its_value_read_only(alarm: FormDefinition) -> None:
    empty = str(render_form(alarm, {}, {}))
    assert 'name="origin_case"' not in empty and 'data-field="origin_case"' not in empty
    shown = str(render_form(alarm, {"origin_case": "LH-2026-000001"}, {}))
    assert 'name="origin_case"' not in shown
    assert 'data-filled-by="message"' in shown and "来源案件" in shown and "LH-2026-000001" in shown


def test_a_refused_value_posted_again_is_shown_with_its_error_but_never_as_an_input(alarm: FormDefinition) -> None:
    html = str(render_form(alarm, {"origin_case": "不存在的案件"},
                           {"origin_case": ["“来源案件”由联动消息自动填写，不能手工填写"]}))
    assert 'name="origin_case"' not in html and "不能手工填写" in html and 'href="#cg-em_alarm-origin_case"' in html


def _doc(ui_extra: dict, required: list[str]) -> str:
    return json.dumps({"key": "f", "title": {"zh": "表"},
                       "schema": {"type": "object", "required": required,
                                  "properties": {"origin": {"type": "string"}}},
                       "uiSchema": {"origin": {"ui:title": {"zh": "来源"}, **ui_extra}}})


def test_the_definition_check_takes_message_and_rules_and_refuses_other_fillers_and_required_fields() -> None:
    assert validate_form_definition(_doc({"ui:filledBy": "message"}, []), "forms/f.json") == []
    assert validate_form_definition(_doc({"ui:filledBy": "rules"}, []), "forms/f.json") == []
    assert validate_form_definition(_doc({"ui:filledBy": "person"}, []), "forms/f.json")
    problems = validate_form_definition(_doc({"ui:filledBy": "message"}, ["origin"]), "forms/f.json")
    assert [p.key for p in problems] == ["form.filled_by_required"]
