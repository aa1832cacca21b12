"""FormDefinition.validate_submission: cleaned data, or field errors in zh/en."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from engine.errors import InvalidInput
from engine.forms import FormDefinition, load_form

PHOTO = {"name": "site.jpg", "content_type": "image/jpeg", "size": 1024}


def done(**extra: Any) -> dict[str, Any]:
    return {"decision": "done", "result": "已清理占道物品", "finished_at": "2024-05-01T09:30:00+08:00",
            "photos": [PHOTO], **extra}


def errors_of(form: FormDefinition, data: Any, lang: str = "zh") -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        form.validate_submission(data, lang)
    return caught.value.details


def test_valid_submission_returns_the_cleaned_data(disposal: FormDefinition) -> None:
    assert disposal.validate_submission(done()) == done()


def test_cleaned_data_is_json_serialisable(disposal: FormDefinition) -> None:
    cleaned = disposal.validate_submission(done(revisit_on="2024-06-01", cost="12.5", departments=["water"]))
    assert json.loads(json.dumps(cleaned)) == cleaned


def test_missing_required_field_error_names_the_field_in_chinese(disposal: FormDefinition) -> None:
    assert errors_of(disposal, {"photos": [PHOTO]}) == {"decision": ["请选择“处置结论”"]}


def test_missing_required_field_error_names_the_field_in_english(disposal: FormDefinition) -> None:
    assert errors_of(disposal, {"photos": [PHOTO]}, lang="en") == {"decision": ["Choose “Decision”"]}


def test_invalid_input_message_is_in_the_requested_language(disposal: FormDefinition) -> None:
    with pytest.raises(InvalidInput) as zh:
        disposal.validate_submission({}, "zh")
    with pytest.raises(InvalidInput) as en:
        disposal.validate_submission({}, "en-US")
    assert "表单" in zh.value.message
    assert en.value.message.startswith("The form has errors")
    assert zh.value.status == 422


def test_empty_text_counts_as_missing(disposal: FormDefinition) -> None:
    errors = errors_of(disposal, done(result="   "))
    assert errors == {"result": ["请填写“处置结果”"]}


def test_conditionally_required_fields_from_if_then_are_required_when_the_condition_holds(
    disposal: FormDefinition,
) -> None:
    errors = errors_of(disposal, {"decision": "done", "photos": [PHOTO]})
    assert errors == {"result": ["请填写“处置结果”"], "finished_at": ["请填写“处置完成时间”"]}


def test_if_then_requiredness_works_for_a_field_that_is_always_visible(
    small_doc: dict[str, Any], as_text: Callable[[dict[str, Any]], str]
) -> None:
    small_doc["schema"]["properties"]["note"] = {"type": "string"}
    small_doc["uiSchema"]["ui:order"].append("note")
    small_doc["uiSchema"]["note"] = {"ui:title": {"zh": "备注", "en": "Note"}}
    small_doc["schema"]["if"] = {"properties": {"decision": {"const": "ok"}}, "required": ["decision"]}
    small_doc["schema"]["then"] = {"required": ["note"]}
    form = load_form(as_text(small_doc), "small.json")
    assert errors_of(form, {"decision": "ok"}) == {"note": ["请填写“备注”"]}
    assert form.validate_submission({"decision": "return", "reason": "地址不符"}) == {
        "decision": "return", "reason": "地址不符"}


def test_hidden_field_is_not_required_and_is_dropped(disposal: FormDefinition) -> None:
    cleaned = disposal.validate_submission(
        {"decision": "return", "return_reason": "duplicate", "result": "不应保留", "photos": [PHOTO]})
    assert cleaned == {"decision": "return", "return_reason": "duplicate", "photos": [PHOTO]}


def test_hidden_field_is_not_required_even_when_the_schema_always_requires_it(
    small_doc: dict[str, Any], as_text: Callable[[dict[str, Any]], str]
) -> None:
    small_doc["schema"]["required"] = ["decision", "reason"]
    form = load_form(as_text(small_doc), "small.json")
    assert form.validate_submission({"decision": "ok", "reason": "x"}) == {"decision": "ok"}
    assert errors_of(form, {"decision": "return"}) == {"reason": ["请填写“退回原因”"]}


def test_field_whose_controlling_field_is_hidden_is_hidden_too(disposal: FormDefinition) -> None:
    cleaned = disposal.validate_submission(done(return_reason="not_ours", return_note="残留"))
    assert "return_reason" not in cleaned and "return_note" not in cleaned


def test_invalid_value_of_a_hidden_field_is_not_an_error(disposal: FormDefinition) -> None:
    cleaned = disposal.validate_submission(
        {"decision": "return", "return_reason": "duplicate", "finished_at": "昨天", "photos": [PHOTO]})
    assert "finished_at" not in cleaned


def test_unknown_fields_are_dropped(disposal: FormDefinition) -> None:
    assert "csrf_token" not in disposal.validate_submission(done(csrf_token="abc", extra=1))


def test_wrong_type_error_is_a_chinese_sentence_not_the_raw_value(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(cost="很多")) == {"cost": ["请输入数字"]}


def test_integer_field_rejects_a_fraction(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(workers="2.5"), "en") == {"workers": ["Enter a whole number"]}


def test_number_below_minimum_says_the_limit(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(workers=0)) == {"workers": ["不能小于 1"]}


def test_value_outside_the_options_is_an_error(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(decision="maybe")) == {"decision": ["请从给定选项中选择"]}


def test_multi_select_value_outside_the_options_is_reported_on_the_item(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(departments=["water", "fire"])) == {"departments.1": ["请从给定选项中选择"]}


def test_text_shorter_than_min_length_says_the_limit(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(result="短")) == {"result": ["至少输入 5 个字符"]}


@pytest.mark.parametrize("value", ["2024-13-01", "2024/05/01", "明天"])
def test_invalid_date_is_an_error(disposal: FormDefinition, value: str) -> None:
    assert errors_of(disposal, done(revisit_on=value)) == {"revisit_on": ["请输入有效日期（年-月-日）"]}


@pytest.mark.parametrize("value", ["2024-05-01", "昨天", "2024-05-01T25:00"])
def test_invalid_date_time_is_an_error(disposal: FormDefinition, value: str) -> None:
    assert errors_of(disposal, done(finished_at=value), "en") == {"finished_at": ["Enter a valid date and time"]}


def test_ui_error_messages_replace_the_default_message(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(contact_email="not-an-address")) == {"contact_email": ["邮箱格式不对"]}
    assert errors_of(disposal, done(contact_email="x"), "en") == {"contact_email": ["That is not an email address"]}


def test_valid_email_is_accepted(disposal: FormDefinition) -> None:
    assert disposal.validate_submission(done(contact_email="wang@example.cn"))["contact_email"] == "wang@example.cn"


def test_attachment_metadata_needs_name_content_type_and_size(disposal: FormDefinition) -> None:
    errors = errors_of(disposal, done(photos=[{"name": "a.jpg", "content_type": "image/jpeg"}]))
    assert errors == {"photos.0.size": ["请填写“size”"]}


def test_attachment_metadata_allows_an_optional_url(disposal: FormDefinition) -> None:
    photo = {**PHOTO, "url": "/files/42"}
    assert disposal.validate_submission(done(photos=[photo]))["photos"] == [photo]


def test_attachment_metadata_rejects_unknown_keys(disposal: FormDefinition) -> None:
    errors = errors_of(disposal, done(photos=[{**PHOTO, "content": "base64..."}]))
    assert list(errors) == ["photos.0"]


def test_attachment_constraints_of_the_form_apply_on_top_of_the_metadata_shape(disposal: FormDefinition) -> None:
    errors = errors_of(disposal, done(photos=[{**PHOTO, "size": 20 * 1024 * 1024}]))
    assert errors == {"photos.0.size": ["不能大于 10485760"]}


def test_too_many_attachments_is_an_error(disposal: FormDefinition) -> None:
    assert errors_of(disposal, done(photos=[PHOTO] * 6), "en") == {"photos": ["At most 5 items are allowed"]}


def test_errors_are_reported_in_the_order_of_the_form(disposal: FormDefinition) -> None:
    errors = errors_of(disposal, {"contact_email": "x", "cost": "?", "decision": "done"})
    assert list(errors) == ["result", "finished_at", "cost", "contact_email", "photos"]


def test_data_that_is_not_an_object_is_invalid_input(disposal: FormDefinition) -> None:
    assert "_form" in errors_of(disposal, ["decision", "done"])
