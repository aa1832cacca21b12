"""Date answers against time: ui:within bounds (now, the case's report, literal dates), the 1970 floor of
every date-time answer, and a typed wall-clock time shown back as typed in the district's zone."""
from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.errors import InvalidInput
from engine.forms import FormDefinition, load_form, validate_form_definition
from engine.forms.dates import Moments, wall_clock
from web.forms.render import render_form

NOW = datetime(2026, 5, 20, 4, 0, tzinfo=UTC)  # 12:00 in the district
OPENED = datetime(2026, 5, 18, 1, 30, tzinfo=UTC)  # 09:30 in the district

DOC: dict[str, Any] = {
    "key": "dated",
    "title": {"zh": "日期表单"},
    "schema": {"type": "object", "properties": {
        "done_at": {"type": "string", "format": "date-time"},
        "seen_at": {"type": "string", "format": "date-time"},
        "valid_until": {"type": "string", "format": "date"},
    }},
    "uiSchema": {
        "done_at": {"ui:widget": "datetime", "ui:title": {"zh": "完成时间"},
                    "ui:within": {"notBefore": "case.opened", "notAfter": "now"}},
        "seen_at": {"ui:widget": "datetime", "ui:title": {"zh": "发现时间"}},
        "valid_until": {"ui:widget": "date", "ui:title": {"zh": "有效期至"},
                        "ui:within": {"notBefore": "now", "notAfter": "2035-12-31"}},
    },
}


def _form(doc: dict[str, Any] | None = None) -> FormDefinition:
    return load_form(json.dumps(doc or DOC), "dated.json")


AT_NOW = Moments(NOW, OPENED)


def _errors(data: dict[str, Any], moments: Moments = AT_NOW) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        _form().validate_submission(data, moments=moments)
    return caught.value.details


def test_a_time_between_the_case_report_and_now_is_accepted() -> None:
    cleaned = _form().validate_submission({"done_at": "2026-05-19T15:00"}, moments=Moments(NOW, OPENED))
    assert cleaned == {"done_at": "2026-05-19T15:00:00+08:00"}


def test_a_time_before_the_case_was_reported_is_refused_naming_the_report_time() -> None:
    assert _errors({"done_at": "2026-05-18T09:00"}) == {"done_at": ["不能早于案件上报时间（2026-05-18 09:30）"]}


def test_a_time_in_the_future_is_refused() -> None:
    assert _errors({"done_at": "9999-12-31T23:59"}) == {"done_at": ["不能晚于当前时间"]}


def test_bounds_that_are_moments_of_the_system_allow_five_minutes_of_clock_skew() -> None:
    form = _form()
    for typed in ("2026-05-18T09:26", "2026-05-20T12:04"):
        assert form.validate_submission({"done_at": typed}, moments=Moments(NOW, OPENED))
    assert _errors({"done_at": "2026-05-20T12:06"}) == {"done_at": ["不能晚于当前时间"]}


def test_a_case_opened_bound_is_not_judged_without_the_case_but_now_still_is() -> None:
    form = _form()
    assert form.validate_submission({"done_at": "2020-01-01T08:00"}, moments=Moments(NOW))
    assert _errors({"done_at": "2030-01-01T08:00"}, moments=Moments(NOW)) == {"done_at": ["不能晚于当前时间"]}


def test_a_date_field_is_bounded_by_the_district_day_and_literal_dates() -> None:
    assert _form().validate_submission({"valid_until": "2026-05-20"}, moments=Moments(NOW, OPENED))
    assert _errors({"valid_until": "2026-05-19"}) == {"valid_until": ["不能早于当前时间"]}
    assert _errors({"valid_until": "2036-01-01"}) == {"valid_until": ["不能晚于 2035-12-31"]}


def test_every_date_time_answer_before_1970_is_refused_as_too_early_not_as_malformed() -> None:
    for typed in ("1900-01-01T08:00", "1900-01-01T08:00:00+08:00", "1969-12-31T23:59"):
        assert _errors({"seen_at": typed}) == {"seen_at": ["不能早于 1970-01-01"]}
    assert _form().validate_submission({"seen_at": "1970-01-01T00:00"}, moments=Moments(NOW, OPENED))


def test_ui_error_messages_word_the_bounds() -> None:
    doc = copy.deepcopy(DOC)
    doc["uiSchema"]["done_at"]["ui:errorMessages"] = {"notAfter": {"zh": "完成时间不能晚于当前时间"}}
    with pytest.raises(InvalidInput) as caught:
        _form(doc).validate_submission({"done_at": "2030-01-01T08:00"}, moments=Moments(NOW, OPENED))
    assert caught.value.details == {"done_at": ["完成时间不能晚于当前时间"]}


def test_a_summer_time_wall_clock_is_stored_with_its_offset_and_shown_as_typed() -> None:
    form = _form()
    cleaned = form.validate_submission({"seen_at": "1988-07-01T08:00"}, moments=Moments(NOW, OPENED))
    assert cleaned == {"seen_at": "1988-07-01T08:00:00+09:00"}  # Shanghai kept summer time in 1986-1991
    html = render_form(form, cleaned, {})
    assert 'value="1988-07-01T08:00"' in html
    assert "1988-07-01 08:00" in render_form(form, cleaned, {}, readonly=True)


def test_a_wall_clock_time_the_zone_skipped_is_refused_as_no_date_time() -> None:
    assert _errors({"seen_at": "1988-04-17T02:30"}) == {"seen_at": ["请输入有效的日期和时间"]}


def test_an_old_answer_stored_before_the_floor_is_shown_as_it_was_typed_not_shifted_by_local_mean_time() -> None:
    shown = wall_clock("1900-01-01T08:00:00+08:00", ZoneInfo("Asia/Shanghai"))
    assert shown is not None and shown.strftime("%Y-%m-%d %H:%M") == "1900-01-01 08:00"
    assert "1900-01-01 08:00" in render_form(_form(), {"seen_at": "1900-01-01T08:00:00+08:00"}, {}, readonly=True)


def test_ui_within_belongs_on_date_fields_and_names_bounds_it_can_compute() -> None:
    doc = copy.deepcopy(DOC)
    doc["schema"]["properties"]["note"] = {"type": "string"}
    doc["uiSchema"]["note"] = {"ui:title": {"zh": "备注"}, "ui:within": {"notAfter": "now"}}
    doc["uiSchema"]["seen_at"]["ui:within"] = {"notBefore": "case.reported"}
    problems = {(p.element, p.key) for p in validate_form_definition(json.dumps(doc), "dated.json")}
    assert problems == {("note", "form.within_not_date"), ("seen_at", "form.within_bound")}


def test_the_moments_default_to_now() -> None:
    assert abs(Moments().now - datetime.now(UTC)) < timedelta(seconds=5)
