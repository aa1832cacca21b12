"""coerce_html_form and the coercion inside validate_submission: HTML strings become typed data."""
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from engine.forms import FormDefinition, coerce_html_form
from engine.forms.coerce import MISSING, coerce_value, value_as_text

PHOTO_JSON = '{"name": "现场.jpg", "content_type": "image/jpeg", "size": 2048}'


def post(**fields: Any) -> MultiDict[str, str]:
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return MultiDict(pairs)


def test_numbers_from_strings_become_int_or_float(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, post(cost="12.50", workers="3"))
    assert data == {"cost": 12.5, "workers": 3, "needs_followup": False}
    assert isinstance(data["workers"], int)


def test_full_width_digits_from_a_chinese_ime_are_numbers(disposal: FormDefinition) -> None:
    assert coerce_html_form(disposal, post(workers="１２"))["workers"] == 12


def test_unparseable_number_is_kept_as_sent_so_it_can_be_shown_again(disposal: FormDefinition) -> None:
    assert coerce_html_form(disposal, post(cost="十二"))["cost"] == "十二"


def test_checked_checkbox_is_true_and_absent_checkbox_is_false(disposal: FormDefinition) -> None:
    assert coerce_html_form(disposal, post(needs_followup="on"))["needs_followup"] is True
    assert coerce_html_form(disposal, post(needs_followup="true"))["needs_followup"] is True
    assert coerce_html_form(disposal, post())["needs_followup"] is False


def test_repeated_keys_become_a_multi_select_list(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, post(departments=["water", "police", "water"]))
    assert data["departments"] == ["water", "police"]


def test_single_multi_select_value_becomes_a_list(disposal: FormDefinition) -> None:
    assert disposal.validate_submission({"decision": "return", "return_reason": "duplicate",
                                         "departments": "urban", "photos": [PHOTO_JSON]})["departments"] == ["urban"]


def test_empty_inputs_are_left_out(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, post(result="", cost=" ", revisit_on="", departments=[]))
    assert data == {"needs_followup": False}


def test_datetime_local_input_gets_seconds_and_the_china_offset(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, post(finished_at="2024-05-01T09:30"))
    assert data["finished_at"] == "2024-05-01T09:30:00+08:00"


def test_date_stays_an_iso_string(disposal: FormDefinition) -> None:
    assert coerce_html_form(disposal, post(revisit_on="2024-06-01"))["revisit_on"] == "2024-06-01"


def test_attachments_arrive_as_json_metadata(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, post(photos=[PHOTO_JSON]))
    assert data["photos"] == [{"name": "现场.jpg", "content_type": "image/jpeg", "size": 2048}]


def test_textarea_line_breaks_are_normalised_and_text_trimmed(disposal: FormDefinition) -> None:
    assert coerce_html_form(disposal, post(result="  第一行\r\n第二行 "))["result"] == "第一行\n第二行"


def test_keys_that_are_not_fields_are_ignored(disposal: FormDefinition) -> None:
    assert "csrf_token" not in coerce_html_form(disposal, post(csrf_token="t"))


def test_plain_dict_is_accepted_as_form_data(disposal: FormDefinition) -> None:
    data = coerce_html_form(disposal, {"workers": "2", "departments": ["urban"]})
    assert data == {"workers": 2, "departments": ["urban"], "needs_followup": False}


def test_boolean_radio_options_and_numeric_selects_are_typed(acceptance: FormDefinition) -> None:
    data = coerce_html_form(acceptance, post(outcome="supplement", urgent="true",
                                             missing_materials=["lease"], supplement_deadline="2024-06-03"))
    assert data == {"outcome": "supplement", "urgent": True, "missing_materials": ["lease"],
                    "supplement_deadline": "2024-06-03"}


def test_html_post_round_trip_through_validation(disposal: FormDefinition) -> None:
    formdata = post(decision="done", result="路面坑洞已修补", finished_at="2024-05-01T17:05", cost="300",
                    workers="2", departments=["urban"], needs_followup="on", photos=[PHOTO_JSON], csrf_token="x")
    cleaned = disposal.validate_submission(disposal.coerce_html_form(formdata))
    assert cleaned == {
        "decision": "done", "result": "路面坑洞已修补", "finished_at": "2024-05-01T17:05:00+08:00",
        "cost": 300, "workers": 2, "needs_followup": True, "departments": ["urban"],
        "photos": [{"name": "现场.jpg", "content_type": "image/jpeg", "size": 2048}],
    }


@given(st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)))
def test_values_written_into_inputs_read_back_as_the_same_value(value: Any) -> None:
    # What render_form writes into an input must come back unchanged from coerce_value.
    from engine.forms.fields import FieldSpec

    type_ = "boolean" if isinstance(value, bool) else "number"
    spec = FieldSpec(name="v", schema={"type": type_}, widget="checkbox" if type_ == "boolean" else "number",
                     title={"zh": "值"}, required=False)
    back = coerce_value(spec, value_as_text(value))
    assert back is not MISSING and back == value and isinstance(back, bool) == isinstance(value, bool)
