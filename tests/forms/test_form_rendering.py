"""render_form: accessible HTML for every widget, errors in place, values kept, input escaped."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import Markup

from engine.forms import FormDefinition
from web.forms import render_form

PHOTO = {"name": "现场.jpg", "content_type": "image/jpeg", "size": 2048, "url": "/files/7"}


class Elements(HTMLParser):
    """Every start tag with its attributes, plus the text inside labels/legends by element."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> dict[str, str | None]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]


def fid(name: str) -> str:
    return f"cg-event_disposal-{name}"


def test_render_form_returns_markup(disposal: FormDefinition) -> None:
    assert isinstance(render_form(disposal, {}, {}, "zh"), Markup)


@pytest.mark.parametrize(("name", "tag", "attrs"), [
    ("contact_email", "input", {"type": "email"}),
    ("result", "textarea", {}),
    ("cost", "input", {"type": "number", "step": "0.01", "min": "0"}),
    ("workers", "input", {"type": "number", "step": "1", "max": "50"}),
    ("revisit_on", "input", {"type": "date"}),
    ("finished_at", "input", {"type": "datetime-local"}),
    ("return_reason", "select", {}),
    ("needs_followup", "input", {"type": "checkbox", "value": "true"}),
    ("photos-upload", "input", {"type": "file", "accept": "image/*"}),
])
def test_each_single_control_widget_renders_a_labelled_input(
    disposal: FormDefinition, name: str, tag: str, attrs: dict[str, str]
) -> None:
    html = Elements(render_form(disposal, {}, {}, "zh"))
    html.one(tag, id=fid(name), **attrs)
    html.one("label", **{"for": fid(name)})


@pytest.mark.parametrize(("name", "type_", "count"), [("decision", "radio", 2), ("departments", "checkbox", 3)])
def test_choice_widgets_render_one_labelled_input_per_option(
    disposal: FormDefinition, name: str, type_: str, count: int
) -> None:
    html = Elements(render_form(disposal, {}, {}, "zh"))
    inputs = html.find("input", name=name, type=type_)
    assert len(inputs) == count
    for item in inputs:
        html.one("label", **{"for": str(item["id"])})


def test_option_groups_are_fieldsets_with_a_legend_in_the_chosen_language(disposal: FormDefinition) -> None:
    zh = str(render_form(disposal, {}, {}, "zh"))
    en = str(render_form(disposal, {}, {}, "en"))
    assert "<legend>协同部门</legend>" in zh and ">城管</label>" in zh
    assert "<legend>Departments involved</legend>" in en and ">Urban management</label>" in en


def test_labels_fall_back_to_chinese_when_english_is_missing(acceptance: FormDefinition) -> None:
    html = str(render_form(acceptance, {"outcome": "reject"}, {}, "en"))
    assert "不予受理理由" in html


def test_required_fields_are_marked_and_carry_the_required_attribute(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {}, {}, "zh"))
    assert all("required" in a for a in html.find("input", name="decision"))
    assert "required" not in html.one("input", id=fid("cost"))


def test_field_errors_are_shown_next_to_the_field_and_linked_by_aria(disposal: FormDefinition) -> None:
    errors = {"cost": ["请输入数字"]}
    rendered = str(render_form(disposal, {"cost": "十二"}, errors, "zh"))
    html = Elements(rendered)
    control = html.one("input", id=fid("cost"))
    assert control["aria-invalid"] == "true"
    assert control["aria-describedby"] == f"{fid('cost')}-error"
    row_start = rendered.index(f'id="{fid("cost")}-row"')
    row_end = rendered.index("</div>", row_start)
    assert f'id="{fid("cost")}-error"' in rendered[row_start:row_end]
    assert "请输入数字" in rendered[row_start:row_end]


def test_error_summary_links_each_error_to_its_field(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {}, {"decision": ["请选择“处置结论”"], "cost": ["请输入数字"]}, "zh"))
    html.one("div", role="alert")
    html.one("a", href=f"#{fid('decision')}-0")
    html.one("a", href=f"#{fid('cost')}")


def test_item_errors_are_shown_on_their_field(disposal: FormDefinition) -> None:
    html = str(render_form(disposal, {"photos": [PHOTO]}, {"photos.0.size": ["不能大于 10485760"]}, "zh"))
    assert "第1项：不能大于 10485760" in html


def test_no_error_summary_without_errors(disposal: FormDefinition) -> None:
    assert 'role="alert"' not in str(render_form(disposal, {}, {}, "zh"))


def test_entered_values_are_kept(disposal: FormDefinition) -> None:
    values = {"decision": "return", "return_reason": "wrong_address", "return_note": "门牌号错误",
              "cost": "十二", "workers": "3", "revisit_on": "2024-06-01", "needs_followup": "on",
              "departments": ["water", "police"], "contact_email": "wang@example.cn", "result": "第一行\n第二行"}
    html = Elements(render_form(disposal, values, {"cost": ["请输入数字"]}, "zh"))
    assert "checked" in html.one("input", name="decision", value="return")
    assert "checked" not in html.one("input", name="decision", value="done")
    assert "selected" in html.one("option", value="wrong_address")
    assert html.one("input", id=fid("return_note"))["value"] == "门牌号错误"
    assert html.one("input", id=fid("cost"))["value"] == "十二"  # the bad entry stays visible
    assert html.one("input", id=fid("workers"))["value"] == "3"
    assert html.one("input", id=fid("revisit_on"))["value"] == "2024-06-01"
    assert "checked" in html.one("input", id=fid("needs_followup"))
    assert "checked" in html.one("input", name="departments", value="water")
    assert "checked" not in html.one("input", name="departments", value="urban")
    assert html.one("input", id=fid("contact_email"))["value"] == "wang@example.cn"
    assert "第一行\n第二行</textarea>" in str(render_form(disposal, values, {}, "zh"))


def test_stored_datetime_is_shown_as_local_time_in_the_input(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {"decision": "done", "finished_at": "2024-05-01T01:30:00Z"}, {}, "zh"))
    assert html.one("input", id=fid("finished_at"))["value"] == "2024-05-01T09:30"


def test_kept_attachments_are_posted_back_as_their_metadata(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {"photos": [PHOTO]}, {}, "zh"))
    kept = html.one("input", name="photos", type="checkbox")
    assert "checked" in kept
    assert disposal.coerce_html_form({"photos": [kept["value"]]})["photos"] == [PHOTO]
    html.one("a", href="/files/7")


def test_user_input_is_html_escaped(disposal: FormDefinition) -> None:
    evil = '"><script>alert(1)</script>'
    values = {"contact_email": evil, "result": evil, "decision": "done",
              "photos": [{**PHOTO, "name": evil}]}
    rendered = str(render_form(disposal, values, {"result": [evil]}, "zh"))
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    readonly = str(render_form(disposal, values, {}, "zh", readonly=True))
    assert "<script>" not in readonly


def test_attachment_url_that_is_not_http_is_not_a_link(disposal: FormDefinition) -> None:
    values = {"photos": [{**PHOTO, "url": "javascript:alert(1)"}]}
    for readonly in (False, True):
        assert 'href="javascript' not in str(render_form(disposal, values, {}, "zh", readonly=readonly))


def test_conditional_fields_carry_their_rule_as_data_attributes(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {}, {}, "zh"))
    row = html.one("div", id=f"{fid('return_note')}-row")
    assert row["data-visible-if-field"] == "return_reason"
    assert row["data-visible-if-in"] == '["not_ours", "wrong_address"]'


def test_hidden_conditional_fields_are_rendered_hidden_and_disabled(disposal: FormDefinition) -> None:
    html = Elements(render_form(disposal, {"decision": "done"}, {}, "zh"))
    assert "hidden" in html.one("div", id=f"{fid('return_reason')}-row")
    assert "disabled" in html.one("select", id=fid("return_reason"))
    assert "hidden" not in html.one("div", id=f"{fid('result')}-row")
    assert "disabled" not in html.one("textarea", id=fid("result"))


def test_boolean_controller_rule_uses_the_checkbox_value_text(acceptance: FormDefinition) -> None:
    html = Elements(render_form(acceptance, {"urgent": True}, {}, "zh"))
    row = html.one("div", id="cg-licence_acceptance-urgent_note-row")
    assert row["data-visible-if-in"] == '["true"]' and "hidden" not in row


def test_extra_hidden_markup_goes_inside_the_form_unescaped(disposal: FormDefinition) -> None:
    csrf = Markup('<input type="hidden" name="csrf_token" value="t0k">')
    rendered = str(render_form(disposal, {}, {}, "zh", extra_hidden=csrf))
    assert rendered.index(str(csrf)) < rendered.index("</form>")
    assert "csrf" not in str(render_form(disposal, {}, {}, "zh"))


def test_form_with_attachments_posts_multipart(disposal: FormDefinition, acceptance: FormDefinition) -> None:
    assert Elements(render_form(disposal, {}, {}, "zh")).one("form")["enctype"] == "multipart/form-data"
    assert "enctype" not in Elements(render_form(acceptance, {}, {}, "zh")).one("form")


def test_script_tag_only_when_a_url_is_given(disposal: FormDefinition) -> None:
    assert "<script" not in str(render_form(disposal, {}, {}, "zh"))
    html = Elements(render_form(disposal, {}, {}, "zh", script_url="/static/js/form-visibility.js"))
    html.one("script", src="/static/js/form-visibility.js")


def test_buttons_replace_the_default_submit_button(disposal: FormDefinition) -> None:
    buttons = Markup('<button name="action" value="complete">完成</button>')
    rendered = str(render_form(disposal, {}, {}, "zh", buttons=buttons))
    assert str(buttons) in rendered and ">提交</button>" not in rendered


def test_readonly_shows_visible_answers_in_words(disposal: FormDefinition) -> None:
    values: dict[str, Any] = {"decision": "done", "result": "第一行\n第二行", "finished_at": "2024-05-01T09:30:00+08:00",
                              "return_reason": "duplicate", "needs_followup": True, "departments": ["water", "police"],
                              "photos": [PHOTO]}
    rendered = str(render_form(disposal, values, {}, "zh", readonly=True))
    assert "<input" not in rendered and "<form" not in rendered
    assert "<dd>已处置</dd>" in rendered
    assert "<dd>第一行<br>第二行</dd>" in rendered
    assert "<dd>2024-05-01 09:30</dd>" in rendered
    assert "<dd>是</dd>" in rendered
    assert "<dd>水务、公安</dd>" in rendered
    assert "退回原因" not in rendered  # hidden for this decision
    assert 'href="/files/7"' in rendered


def test_readonly_in_english(disposal: FormDefinition) -> None:
    rendered = str(render_form(disposal, {"decision": "return", "return_reason": "duplicate"}, {}, "en", readonly=True))
    assert "<dt>Reason for return</dt>" in rendered and "<dd>Duplicate</dd>" in rendered


def test_schema_default_is_the_initial_value(small_doc: dict[str, Any], as_text: Any) -> None:
    from engine.forms import load_form

    small_doc["schema"]["properties"]["decision"]["default"] = "ok"
    form = load_form(as_text(small_doc), "small.json")
    assert "checked" in Elements(render_form(form, {}, {}, "zh")).one("input", name="decision", value="ok")


def test_a_choice_with_options_from_the_case_offers_only_those_the_case_names(small_doc: dict[str, Any],
                                                                              as_text: Any) -> None:
    from engine.forms import load_form

    small_doc["uiSchema"]["decision"]["ui:optionsFromCase"] = "allowed"
    form = load_form(as_text(small_doc), "small.json")

    def offered(case_data: dict[str, Any] | None) -> list[str | None]:
        return [i["value"] for i in Elements(render_form(form, {}, {}, "zh", case_data=case_data))
                .find("input", name="decision")]

    assert offered({"allowed": {"return": {"status": "dispatched"}}}) == ["return"]  # a mapping's keys
    assert offered({"allowed": ["ok"]}) == ["ok"]  # a list's items
    assert offered({}) == offered(None) == ["ok", "return"]  # the case names none: every option
    # What is accepted stays the enum's business.
    assert form.validate_submission({"decision": "ok"}) == {"decision": "ok"}
