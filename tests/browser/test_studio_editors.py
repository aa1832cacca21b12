"""The studio's decision-table and form editors in the browser: dmn-js loads a deployed table and the
server validates it; the form editor previews through the server's own renderer as the analyst types."""
from __future__ import annotations

import json
import re
import time

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from lxml import etree  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.config import PROJECT_ROOT  # noqa: E402
from engine.definitions.service import current_bundle  # noqa: E402
from engine.store.models.cases import Case  # noqa: E402

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


def test_a_deployed_decision_table_opens_in_dmn_js_and_validates_clean(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/")
    analyst.locator("#cg-files tr[data-path='rules/social_event_routing.dmn'] a").first.click()
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn .tjs-table")).to_be_visible()
    expect(analyst.locator("#cg-dmn")).to_contain_text("命中策略")  # dmn-js's own controls in Chinese
    analyst.click(".cg-zoom [data-zoom=fit]")
    fitted = float(analyst.locator("#cg-dmn").get_attribute("data-zoom"))
    analyst.click(".cg-zoom [data-zoom=out]")
    assert float(analyst.locator("#cg-dmn").get_attribute("data-zoom")) < fitted
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    journey.shot(analyst, "decision-table")
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    assert not journey.console_errors, journey.console_errors


def test_the_form_preview_follows_the_json_and_a_fixed_form_deploys(journey, demo_db):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/forms/forms/sample_reading.json")
    preview = analyst.locator("#cg-form-preview")
    expect(preview.locator("form.cg-form [name=reading]")).to_be_visible()
    journey.shot(analyst, "form-editor")

    analyst.click("[role=tab][data-view-tab=json]")
    editor = analyst.locator("#cg-form-text")
    doc = json.loads(editor.input_value())
    doc["uiSchema"]["note"]["ui:title"]["zh"] = "巡查备注"
    editor.fill(json.dumps(doc, ensure_ascii=False, indent=2))
    expect(preview).to_contain_text("巡查备注")

    editor.fill(editor.input_value().replace('"key": "sample_reading"', '"key": "other"'))
    expect(analyst.locator("#cg-problems li")).to_contain_text("须与文件名")
    journey.shot(analyst, "form-problem")
    editor.fill(editor.input_value().replace('"key": "other"', '"key": "sample_reading"'))
    expect(analyst.locator("#cg-problems li")).to_have_count(0)
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("已部署")  # the preview's "ok" came before
    journey.shot(analyst, "form-deployed")
    with demo_db.transaction(readonly=True) as session:
        assert "巡查备注" in current_bundle(session).files["forms/sample_reading.json"]
    assert not journey.console_errors, journey.console_errors


def test_the_fields_view_adds_a_required_choice_shown_by_a_rule_and_the_json_view_shows_the_same_form(
        journey, demo_db):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/forms/forms/se_handle.json")
    expect(analyst.locator("#cg-form-page[data-ready=true]")).to_be_attached()
    fields = analyst.locator("#cg-form-fields")
    expect(fields.locator(".cg-field-card")).to_have_count(5)  # the fields view opens first
    expect(fields.locator(".cg-field-card").first).to_contain_text("处理方式 · 单选 · 必填")

    analyst.click("[data-act=add-field]")
    card = fields.locator(".cg-field-card").nth(5)
    card.locator("input[name=key]").fill("site_state")
    card.locator("input[name=titleZh]").fill("现场状态")
    card.locator("input[name=titleEn]").fill("Site state")
    card.locator("select[name=kind]").select_option("single")
    card.locator("input[name=required]").check()
    card.locator("[data-act=add-option]").click()
    card.locator("[data-act=add-option]").click()
    for row, (value, zh, en) in enumerate([("normal", "正常", "Normal"), ("damaged", "损坏", "Damaged")]):
        option = card.locator("tr[data-option]").nth(row)
        option.locator("[name=optionValue]").fill(value)
        option.locator("[name=optionZh]").fill(zh)
        option.locator("[name=optionEn]").fill(en)
    card.locator("select[name=visibleField]").select_option("handle_decision")
    card.locator("input[name=visibleValue][value=accept]").check()
    expect(analyst.locator("#cg-form-preview [data-visible-if-field=handle_decision]")).to_have_count(5)
    journey.shot(analyst, "fields-view")

    analyst.click("[role=tab][data-view-tab=json]")
    editor = analyst.locator("#cg-form-text")
    expect(editor).to_be_visible()
    doc = json.loads(editor.input_value())
    assert doc["schema"]["properties"]["site_state"] == {"type": "string", "enum": ["normal", "damaged"]}
    assert doc["schema"]["required"] == ["handle_decision", "site_state"]
    assert doc["uiSchema"]["ui:order"][-1] == "site_state"
    assert doc["uiSchema"]["site_state"] == {
        "ui:title": {"zh": "现场状态", "en": "Site state"}, "ui:widget": "select",
        "ui:enumNames": [{"zh": "正常", "en": "Normal"}, {"zh": "损坏", "en": "Damaged"}],
        "ui:visibleIf": {"field": "handle_decision", "in": ["accept"]}}
    assert doc["schema"]["allOf"][1]["then"]["required"] == ["extension_value", "extension_unit", "extension_reason"]

    good = editor.input_value()
    editor.fill(good[:-3])
    analyst.click("[role=tab][data-view-tab=fields]")
    expect(analyst.locator("#cg-form-view-error")).to_contain_text("JSON 格式有误")
    expect(editor).to_be_visible()  # invalid JSON keeps the JSON view
    editor.fill(good)
    analyst.click("[role=tab][data-view-tab=fields]")
    expect(fields.locator(".cg-field-card")).to_have_count(6)

    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("已部署。新版本：social_event v")
    with demo_db.transaction(readonly=True) as session:
        deployed = json.loads(current_bundle(session).files["forms/se_handle.json"])
    assert deployed["uiSchema"]["site_state"]["ui:visibleIf"] == {"field": "handle_decision", "in": ["accept"]}
    assert "site_state" in deployed["schema"]["required"]
    assert not journey.console_errors, journey.console_errors


def _select(page, element_id: str) -> None:
    """Select an element as a click on it would (it may lie outside the visible part of a large diagram)."""
    page.evaluate("id => { const m = window.cgModeler; m.get('selection').select(m.get('elementRegistry').get(id));"
                  " m.get('canvas').scrollToElement(m.get('elementRegistry').get(id)); }", element_id)


def test_the_properties_panel_edits_timers_and_shows_lane_codes_and_the_server_checks_them(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/licensing/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")

    _select(analyst, "deemed")
    expect(panel).to_have_attribute("data-element-id", "deemed")
    expect(panel.locator("select[name=timerKind]")).to_have_value("timeDate")
    expression = panel.locator("input[name=timerExpression]")
    expect(expression).to_have_value("accept_due")
    expression.fill("accept_due +")
    expression.press("Tab")
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-problems li[data-element=deemed]")).to_be_visible()
    expect(analyst.locator(".cg-problem-badge[data-element=deemed]")).to_be_visible()
    # The server's line is on the element: in the panel, on the timer's expression.
    expect(panel.locator(".cg-element-problems li")).to_contain_text("表达式有误")
    expect(expression).to_have_attribute("aria-invalid", "true")
    journey.shot(analyst, "timer-expression-refused")

    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    _select(analyst, "lane_dispatch")
    expect(panel.locator("select[name=laneCode]")).to_have_value("dispatcher")
    journey.shot(analyst, "lane-code")
    assert not journey.console_errors, journey.console_errors


# The diagram's bounds lie inside the visible viewbox (what "fits the window" means for bpmn-js).
FITS = """viewer => { const v = viewer.get('canvas').viewbox(); const i = v.inner;
  return v.x <= i.x && v.y <= i.y && v.x + v.width >= i.x + i.width && v.y + v.height >= i.y + i.height; }"""


def _zoom(page, holder: str) -> float:
    return page.evaluate(f"() => {holder}.get('canvas').zoom()")


def test_the_modeler_opens_with_the_whole_diagram_in_view_chinese_controls_and_zoom_buttons(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    assert analyst.evaluate(f"() => ({FITS})(window.cgModeler)")
    palette = analyst.locator(".djs-palette")
    expect(palette.locator('.entry[data-action="create.start-event"]')).to_have_accessible_name("创建开始事件")
    expect(palette.locator('.entry[data-action="create.task"]')).to_have_accessible_name("创建任务")
    _select(analyst, "handle")
    expect(analyst.locator('.djs-context-pad [data-action="append.append-task"]')).to_have_accessible_name("追加任务")
    expect(analyst.locator("#cg-properties h2")).to_have_text("用户任务")
    analyst.locator('.djs-context-pad [data-action="replace"]').click()
    expect(analyst.locator(".djs-popup-search input")).to_have_attribute("placeholder", "搜索")
    analyst.keyboard.press("Escape")
    journey.shot(analyst, "modeler-fitted")

    fitted = _zoom(analyst, "window.cgModeler")
    analyst.click(".cg-zoom [data-zoom=in]")
    assert _zoom(analyst, "window.cgModeler") > fitted
    analyst.click(".cg-zoom [data-zoom=out]")
    analyst.click(".cg-zoom [data-zoom=out]")
    assert _zoom(analyst, "window.cgModeler") < fitted
    analyst.click(".cg-zoom [data-zoom=fit]")
    assert analyst.evaluate(f"() => ({FITS})(window.cgModeler)")
    assert not journey.console_errors, journey.console_errors


def test_starters_time_limit_return_and_multi_instance_properties_are_edited_in_the_panel(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")

    _select(analyst, "start")
    panel.locator("input[name=starters][value=supervisor]").check()
    expect(panel).to_contain_text("可发起角色")
    _select(analyst, "verify")
    request = panel.locator("input[name=slaExtensionRequest]")
    request.fill('{"amount": 1, "unit": "working_days", "reason": "补充核查"} if verify_decision == "extend" else None')
    request.press("Tab")
    returned = panel.locator("input[name=returnWith]")
    returned.fill("not json")
    returned.press("Tab")
    expect(returned).to_have_attribute("aria-invalid", "true")  # refused in place, the diagram keeps no such value
    returned.fill('{"verify_decision": "return"}')
    returned.press("Tab")
    expect(returned).not_to_have_attribute("aria-invalid", "true")

    _select(analyst, "assist")
    expect(panel.locator("input[name=collection]")).to_have_value("assisting_departments")
    expect(panel.locator("input[name=elementVariable]")).to_have_value("assist_department")
    expect(panel.locator("input[name=scriptsOnInstances]")).to_be_checked()
    expect(panel.locator("textarea[name=postScript]")).to_have_value(
        'assist_report = {"department": assist_department, "summary": assist_summary}')
    panel.locator("input[name=elementVariable]").fill("helper_department")
    panel.locator("input[name=elementVariable]").press("Tab")
    journey.shot(analyst, "panel-multi-instance")

    xml = analyst.evaluate("async () => (await window.cgModeler.saveXML({format: true})).xml")
    root = etree.fromstring(xml.encode())
    start = root.find(f".//{BPMN}startEvent[@id='start']")
    starters = start.find(f".//{SPIFF}property[@name='starters']").get("value").split(",")
    assert starters == ["grid_worker", "hotline", "dispatcher", "supervisor"]
    verify = root.find(f".//{BPMN}userTask[@id='verify']")
    assert verify.find(f".//{SPIFF}property[@name='slaExtensionRequest']").get("value").startswith('{"amount": 1')
    assert verify.find(f".//{SPIFF}property[@name='returnWith']").get("value") == '{"verify_decision": "return"}'
    loop = root.find(f".//{BPMN}userTask[@id='assist']/{BPMN}multiInstanceLoopCharacteristics")
    assert loop.find(f"{BPMN}inputDataItem").get("name") == "helper_department"
    assert loop.find(f"{BPMN}loopDataInputRef").text == "assisting_departments"
    assert loop.get(f"{SPIFF}scriptsOnInstances") == "true"
    assert not journey.console_errors, journey.console_errors


def test_the_case_page_diagram_opens_fitted_and_zooms(journey, demo_db):
    with demo_db.transaction(readonly=True) as session:
        case_id = session.scalars(select(Case.id).order_by(Case.id)).first()
    supervisor = journey.sign_in("supervisor1")
    supervisor.goto(f"/cases/{case_id}")
    expect(supervisor.locator("#cg-diagram[data-rendered=true]")).to_be_attached()
    assert supervisor.evaluate(f"() => ({FITS})(window.cgViewer)")
    fitted = _zoom(supervisor, "window.cgViewer")
    supervisor.click(".cg-zoom [data-zoom=in]")
    assert _zoom(supervisor, "window.cgViewer") > fitted
    supervisor.click(".cg-zoom [data-zoom=fit]")
    assert _zoom(supervisor, "window.cgViewer") == pytest.approx(fitted)
    journey.shot(supervisor, "case-diagram")
    assert not journey.console_errors, journey.console_errors


def test_a_message_event_names_its_message_and_payload_in_the_panel(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/emergency_linkage/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")
    _select(analyst, "notify_origin")
    expect(panel.locator("input[name=messageName]")).to_have_value("emergency_closed")
    expect(panel.locator("textarea[name=messagePayload]")).to_have_value(re.compile("'origin_case': origin_case"))
    expect(panel.locator("input[name=correlation]")).to_have_value("{'origin_case': origin_case}")
    panel.locator("input[name=messageName]").fill("emergency_wound_up")
    panel.locator("input[name=messageName]").press("Tab")
    journey.shot(analyst, "panel-message")

    xml = analyst.evaluate("async () => (await window.cgModeler.saveXML({format: true})).xml")
    root = etree.fromstring(xml.encode())
    message = root.find(f"{BPMN}message[@name='emergency_wound_up']")
    event = root.find(f".//{BPMN}intermediateThrowEvent[@id='notify_origin']/{BPMN}messageEventDefinition")
    assert message is not None and event.get("messageRef") == message.get("id")
    assert "'origin_case': origin_case" in event.find(f".//{SPIFF}messagePayload").text
    assert root.find(f"{BPMN}message[@name='emergency_closed']") is not None  # other events may still use it
    assert not journey.console_errors, journey.console_errors


def test_the_panel_marks_what_validate_would_refuse_as_the_analyst_edits(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")

    _select(analyst, "assist")
    element = panel.locator("input[name=elementVariable]")
    expect(element).not_to_have_attribute("aria-invalid", "true")
    element.fill("")
    element.press("Tab")
    expect(element).to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".cg-prop-problem")).to_contain_text("请填写每个实例所处理项目的变量名")
    element.fill("assist_department")
    element.press("Tab")
    expect(element).not_to_have_attribute("aria-invalid", "true")

    _select(analyst, "lane_dispatch")
    expect(panel.locator("select[name=laneCode]")).not_to_have_attribute("aria-invalid", "true")
    _select(analyst, "verify")
    request = panel.locator("input[name=slaExtensionRequest]")
    request.fill('{"amount": 1, "unit": "working_days"')
    request.press("Tab")
    expect(request).to_have_attribute("aria-invalid", "true")
    journey.shot(analyst, "panel-marks-unclosed-brackets")
    assert not journey.console_errors, journey.console_errors


SHIPPED_DECISIONS = sorted(p.name for p in (PROJECT_ROOT / "rules").glob("*.dmn"))


CJK = re.compile(r"[\u4e00-\u9fff]")
# Every title, accessible name and placeholder the decision editor draws, with Latin letters in it.
ENGLISH_TITLES = """() => [...new Set([...document.querySelectorAll('#cg-dmn *, #cg-dmn-views *')].flatMap((el) =>
  ['title', 'aria-label', 'placeholder'].map((a) => el.getAttribute(a)).filter((v) => v && /[A-Za-z]/.test(v))))]"""
BRANDING = "Powered by bpmn.io"  # the bpmn.io watermark's link, which its licence keeps as it is


@pytest.mark.parametrize("name", SHIPPED_DECISIONS)
def test_every_shipped_decision_file_opens_its_table_named_in_chinese(journey, name):
    # Seven of the nine files gave their decision the file's (definitions) id: dmn-js lost the decision and
    # the editor showed an empty diagram with no table to edit. Their names carried English glosses, and the
    # columns and rule notes were English ('incident type', 'zhujian reviews within …').
    analyst = journey.sign_in("analyst")
    analyst.goto(f"/studio/decisions/rules/{name}")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn .tjs-table")).to_be_visible()  # the first view is the table, not the DRD
    tabs = analyst.locator("#cg-dmn-views button").all_inner_texts()
    assert tabs and not [tab for tab in tabs if re.search("[A-Za-z]", tab)], tabs
    assert analyst.locator("#cg-dmn-views button[aria-pressed=true]").get_attribute("data-view") != \
        analyst.evaluate("window.cgDmn.getDefinitions().id")
    headers = analyst.locator("#cg-dmn .input-label, #cg-dmn .output-label").all_inner_texts()
    assert headers and [h for h in headers if not CJK.search(h)] == [], headers
    notes = analyst.locator("#cg-dmn td.annotation").all_inner_texts()
    assert [n for n in notes if n.strip() not in ("", "-") and not CJK.search(n)] == [], notes
    assert [t for t in analyst.evaluate(ENGLISH_TITLES) if t != BRANDING] == []


LAYOUTLESS_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="stall_fee_definitions" name="摊位费"
             namespace="http://casegrid/rules">
  <decision id="stall_fee" name="摊位费标准">
    <decisionTable id="stall_fee_table" hitPolicy="UNIQUE">
      <input id="in_size" label="摊位面积（平方米）">
        <inputExpression typeRef="number"><text>stall_size</text></inputExpression>
      </input>
      <output id="out_fee" name="fee" label="每日费用（元）" typeRef="number"/>
      <rule id="small"><description>小摊位：10平方米以下</description>
        <inputEntry><text>&lt; 10</text></inputEntry><outputEntry><text>20</text></outputEntry></rule>
      <rule id="large"><description>大摊位：10平方米及以上</description>
        <inputEntry><text>&gt;= 10</text></inputEntry><outputEntry><text>50</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_a_decision_deployed_without_a_diagram_layout_opens_on_its_table_and_its_drd_shows_the_decision(journey):
    # An analyst's own file, like every shipped one, has no DMNDI: the editor still lands on the table, and
    # the DRD view draws the decision (dmn-js lays out what has no layout) instead of an empty canvas.
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/")
    analyst.locator("form[action$='/studio/upload'] input[type=file]").set_input_files(
        {"name": "stall_fee.dmn", "mimeType": "application/xml", "buffer": LAYOUTLESS_DMN.encode("utf-8")})
    analyst.click("form[action$='/studio/upload'] button[type=submit]")
    expect(analyst.locator("#cg-files tr[data-path='rules/stall_fee.dmn']")).to_have_count(1)
    analyst.goto("/studio/decisions/rules/stall_fee.dmn")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn .tjs-table")).to_be_visible()
    expect(analyst.locator("#cg-dmn-views button[aria-pressed=true]")).to_have_text("摊位费标准")
    assert analyst.locator("#cg-dmn .input-label, #cg-dmn .output-label").all_inner_texts() == \
        ["摊位面积（平方米）", "每日费用（元）"]
    journey.shot(analyst, "layoutless-table")
    analyst.locator("#cg-dmn-views button", has_text="摊位费").first.click()
    expect(analyst.locator("#cg-dmn .djs-shape[data-element-id=stall_fee]")).to_be_visible()
    assert [t for t in analyst.evaluate(ENGLISH_TITLES) if t != BRANDING] == []
    journey.shot(analyst, "layoutless-drd")
    assert not journey.console_errors, journey.console_errors


def test_in_english_the_decision_editor_speaks_english_around_the_analysts_chinese_columns(journey):
    analyst = journey.sign_in("analyst", locale="en")
    analyst.goto("/studio/decisions/rules/emergency_grade.dmn")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn")).to_contain_text("Hit policy")
    expect(analyst.locator("[data-action=validate]")).to_have_text("Validate")
    # The columns are the analysts' configuration, written once in Chinese: the same in either language.
    assert analyst.locator("#cg-dmn .input-label").first.inner_text() == "事件类型"
    assert not journey.console_errors, journey.console_errors


def _comes_true(page, check: str, seconds: float = 15) -> bool:
    """Whether `check` (a JS function) becomes true within `seconds`: the fit runs on the next animation frame
    after the view draws, so one reading right after the page is ready can come too early on a loaded machine.
    Polled from Python: the studio's Content-Security-Policy refuses a string wait_for_function (eval)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(check):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


def test_a_wide_decision_table_opens_scaled_so_its_rule_notes_are_in_view_and_fit_shows_every_column(journey):
    # The table scrolls inside its own container, which the fit measured instead of the table: the rule
    # notes, the last column, stayed out of view and "fit" did nothing.
    analyst = journey.sign_in("analyst")
    notes_inside = """() => { const box = document.getElementById('cg-dmn').getBoundingClientRect();
      const notes = document.querySelector('#cg-dmn th.annotation').getBoundingClientRect();
      return notes.right <= box.right + 1; }"""
    analyst.goto("/studio/decisions/rules/emergency_grade.dmn")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn")).not_to_have_attribute("data-zoom", "1")
    assert _comes_true(analyst, notes_inside)
    analyst.goto("/studio/decisions/rules/social_event_catalogue.dmn")  # too wide to open fitted: it scrolls
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn")).to_have_attribute("data-zoom", "0.75")
    analyst.click(".cg-zoom [data-zoom=fit]")
    assert float(analyst.locator("#cg-dmn").get_attribute("data-zoom")) < 0.75
    assert _comes_true(analyst, notes_inside)
    journey.shot(analyst, "catalogue-fitted")


def test_the_english_names_of_the_process_and_a_task_are_edited_in_the_panel(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")

    _select(analyst, "register")
    english = panel.locator("input[name=nameEn]")
    expect(english).to_have_value("Register the case")
    expect(panel).to_contain_text("英文名称（nameEn）")
    english.fill("立案")
    english.press("Tab")
    expect(english).to_have_attribute("aria-invalid", "true")  # Chinese in the English name, marked at once
    english.fill("Register the report")
    english.press("Tab")
    expect(english).not_to_have_attribute("aria-invalid", "true")
    _select(analyst, "social_event_participant")
    process_english = panel.locator("input[name=nameEn]")
    expect(process_english).to_have_value("District social-event supervision")
    process_english.fill("Social events")
    process_english.press("Tab")
    journey.shot(analyst, "panel-english-names")

    xml = analyst.evaluate("async () => (await window.cgModeler.saveXML({format: true})).xml")
    root = etree.fromstring(xml.encode())
    register = root.find(f".//{BPMN}userTask[@id='register']")
    assert register.get("name") == "案卷建立（立案）"
    assert register.find(f".//{SPIFF}property[@name='nameEn']").get("value") == "Register the report"
    process = root.find(f".//{BPMN}process[@id='social_event']")
    assert process.find(f"./{BPMN}extensionElements//{SPIFF}property[@name='nameEn']").get("value") == "Social events"
    assert not journey.console_errors, journey.console_errors


def test_deploying_a_decision_table_opened_and_left_unchanged_makes_no_new_version(journey, demo_db):
    """dmn-js writes a table back in its own layout: sent as that, an unchanged routing table was a new
    version of every process that calls it."""
    from engine.store.models.definitions import ProcessVersion

    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/decisions/rules/social_event_routing.dmn")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("没有变化")
    with demo_db.transaction(readonly=True) as session:
        assert session.scalars(select(ProcessVersion.version).where(
            ProcessVersion.process_key == "social_event")).all() == [1]
