"""The studio reads as names, not codes, where analysts pick or see a code: a lane's role or department (the
select shows names alone, the file keeps the code), a task's form, a rule's decision and a called process
(names alone, namesake forms told apart by their process), the decision requirements diagram (the file's
decisions by their name, never the definitions' id), a form field's options source (the deployed decision
tables and their input columns by their labels, an unknown reference kept and marked ⚠ until deploy refuses
it in words, the decision named by its name, its id only in the line's title) and a field's visibility rule
(the other fields by their labels, namesakes by their place in the form)."""
from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from lxml import etree  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from engine.definitions.service import current_bundle  # noqa: E402
from engine.org.config import OrgConfig, UnitSpec  # noqa: E402
from engine.org.service import load_organisation  # noqa: E402

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SAVED_XML = "async () => (await window.cgModeler.saveXML({format: true})).xml"
OPTION_TEXTS = "(s) => [...s.options].map((o) => ({value: o.value, text: o.textContent, group: o.parentElement.label || ''}))"
REPORT = "forms/se_report.json"


def _select(page, element_id: str) -> None:
    page.evaluate("id => { const m = window.cgModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                  element_id)


def test_a_lanes_role_select_reads_names_alone_and_tells_namesakes_apart_without_codes(journey, demo_db):
    with demo_db.transaction() as session:  # a department called like the grid workers' role
        load_organisation(session, OrgConfig(units={"gw_office": UnitSpec("gw_office", "department", "网格员", "Grid worker")}))
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")
    _select(analyst, "lane_grid")
    lane = panel.locator("select[name=laneCode]")
    expect(lane).to_have_value("grid_worker")
    options = [o for o in lane.evaluate(OPTION_TEXTS) if o["value"]]
    assert [o for o in options if o["value"] in o["text"]] == []  # no code in any option's text
    by_code = {o["value"]: o for o in options}
    assert by_code["grid_worker"] == {"value": "grid_worker", "text": "网格员（角色）", "group": "角色"}
    assert by_code["gw_office"] == {"value": "gw_office", "text": "网格员（部门）", "group": "部门"}
    assert by_code["chengguan"]["text"] == "城市管理和综合执法局"
    expect(lane.locator("option:checked")).to_have_text("网格员（角色）")
    journey.shot(analyst, "lane-select-names")

    # The file keeps the code chosen; the canvas names the lane as the select does.
    lane.select_option("gw_office")
    lanes = {n.get("id"): n.get("name") for n in etree.fromstring(analyst.evaluate(SAVED_XML).encode()).iter(f"{BPMN}lane")}
    assert lanes["lane_grid"] == "gw_office"
    label = analyst.locator('g.djs-element[data-element-id="lane_grid"] > .djs-visual > text.cg-lane-label')
    assert label.evaluate("(t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join('')") == "网格员（部门）"

    # A code the organisation does not know is kept, marked ⚠, as on the canvas.
    analyst.evaluate("""() => { const m = window.cgModeler;
        m.get('modeling').updateProperties(m.get('elementRegistry').get('lane_grid'), {name: 'street_office'}); }""")
    _select(analyst, "lane_hotline")
    _select(analyst, "lane_grid")
    expect(panel.locator("select[name=laneCode] option:checked")).to_have_text("⚠ street_office")

    # Who may start: the roles by their names.
    start = analyst.evaluate("() => window.cgModeler.get('elementRegistry').filter((e) => e.type === 'bpmn:StartEvent')[0].id")
    _select(analyst, start)
    starters = panel.locator(".cg-checks[data-name=starters] label")
    expect(starters.filter(has_text="网格员")).to_have_count(1)
    assert not [t for t in starters.all_inner_texts() if re.search(r"[a-z_]{4,}", t)], starters.all_inner_texts()
    assert not journey.console_errors, journey.console_errors


def test_the_decision_requirements_diagram_names_the_files_decisions_never_by_the_definitions_id(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/decisions/rules/emergency_grade.dmn")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    analyst.locator("#cg-dmn-views button", has_text="事件分级").first.click()
    box = analyst.locator("#cg-dmn .dmn-definitions")
    expect(box).to_be_visible()
    expect(box.locator(".dmn-definitions-name")).to_have_text("事件分级")
    expect(box.locator(".dmn-definitions-id")).to_be_hidden()
    assert box.inner_text().strip() == "事件分级"  # what a person sees in the box
    assert "emergency_grade_definitions" not in analyst.locator("body").inner_text()
    journey.shot(analyst, "drd-named")

    # A file without a name says so where the name goes and on its tab; the placeholder is not a name.
    xml = analyst.evaluate("async () => (await window.cgDmn.saveXML()).xml")
    analyst.evaluate("xml => window.cgDmn.importXML(xml).then(() => window.cgDmn.open(window.cgDmn.getViews()"
                     ".find((v) => v.type === 'drd')))", xml.replace(' name="事件分级"', "", 1))
    expect(analyst.locator("#cg-dmn-views button").first).to_have_text("⚠ 未命名的决策集")
    name = box.locator(".dmn-definitions-name")
    expect(name).to_have_text("")
    assert name.evaluate("(n) => getComputedStyle(n, '::before').content") == '"⚠ 尚未命名：请点击此处填写名称"'
    assert "emergency_grade_definitions" not in analyst.locator("body").inner_text()
    assert "name=" not in analyst.evaluate("async () => (await window.cgDmn.saveXML()).xml").split(">", 2)[1]
    journey.shot(analyst, "drd-unnamed")
    assert not journey.console_errors, journey.console_errors


def test_a_fields_options_source_is_chosen_among_decision_inputs_and_an_unknown_one_is_marked_and_refused(
        journey, demo_db):
    analyst = journey.sign_in("analyst")
    analyst.goto(f"/studio/forms/{REPORT}")
    expect(analyst.locator("#cg-form-page[data-ready=true]")).to_be_attached()
    card = analyst.locator("#cg-form-fields details[data-field=category]")
    card.locator("summary").click()
    decision, column = card.locator("select[name=decision]"), card.locator("select[name=decisionInput]")
    expect(decision.locator("option:checked")).to_have_text("事件分类与处置时限")
    expect(column).to_have_value("category")
    expect(column.locator("option:checked")).to_have_text("事件小类")
    assert not [o for o in decision.evaluate(OPTION_TEXTS) if o["value"] and o["value"] in o["text"]]
    journey.shot(analyst, "options-source")

    # A misspelt input in the file: kept and marked, and deploy refuses it in Chinese and changes nothing.
    analyst.click("[role=tab][data-view-tab=json]")
    editor = analyst.locator("#cg-form-text")
    doc = json.loads(editor.input_value())
    doc["uiSchema"]["category"]["ui:optionsFrom"]["input"] = "categry"
    editor.fill(json.dumps(doc, ensure_ascii=False, indent=2))
    analyst.click("[role=tab][data-view-tab=fields]")
    expect(card).to_have_attribute("open", "")  # still open, as the analyst left it
    expect(column.locator("option:checked")).to_have_text("⚠ categry")
    expect(column).to_have_attribute("aria-invalid", "true")
    expect(card).to_contain_text("部署会被拒绝")
    analyst.click("[data-action=deploy]")
    line = analyst.locator("#cg-problems li .cg-problem-text")
    expect(line).to_have_text("决策「事件分类与处置时限」没有名为「categry」的输入（其输入为：「事件小类」）。")
    expect(line).to_have_attribute("title", "决策标识：se_catalogue")  # the id, to find it in the JSON
    with demo_db.transaction(readonly=True) as session:
        assert '"input": "category"' in current_bundle(session).files[REPORT]
    journey.shot(analyst, "unknown-input-refused")

    # The column's id, which the server also accepts, reads as that column.
    analyst.click("[role=tab][data-view-tab=json]")
    editor.fill(editor.input_value().replace('"input": "categry"', '"input": "in_category"'))
    analyst.click("[role=tab][data-view-tab=fields]")
    expect(column).to_have_attribute("aria-invalid", "false")
    expect(column.locator("option")).to_have_text(["事件小类"])

    column.select_option("category")
    expect(column).to_have_attribute("aria-invalid", "false")
    expect(column.locator("option")).to_have_text(["事件小类"])
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    assert not journey.console_errors, journey.console_errors


def test_a_tasks_form_a_rules_decision_and_a_called_process_read_as_names_and_namesake_forms_by_their_process(
        journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    panel = analyst.locator("#cg-properties")

    _select(analyst, "review_extension")
    form = panel.locator("select[name=formKey]")
    expect(form).to_have_value("se_extension_review")
    expect(form.locator("option:checked")).to_have_text("延期审批（城区社会事件统一监管）")
    options = [o for o in form.evaluate(OPTION_TEXTS) if o["value"]]
    assert [o for o in options if o["value"] in o["text"]] == []  # no form key in any option's text
    assert {"value": "lic_extension", "text": "延期审批（行政许可）", "group": ""} in options
    journey.shot(analyst, "form-select-names")

    _select(analyst, "classify")
    decision = panel.locator("select[name=calledDecisionId]")
    expect(decision.locator("option:checked")).to_have_text("事件分类与处置时限")
    assert not [o for o in decision.evaluate(OPTION_TEXTS) if o["value"] and o["value"] in o["text"]]

    # A call activity: the deployed processes by their names.
    called = analyst.evaluate("""() => { const m = window.cgModeler, registry = m.get('elementRegistry');
        const shape = m.get('modeling').createShape({type: 'bpmn:CallActivity'}, {x: 300, y: 900},
                                                    registry.get('review_extension').parent);
        m.get('modeling').updateProperties(shape, {calledElement: 'licensing'});
        return shape.id; }""")
    _select(analyst, called)
    process = panel.locator("select[name=calledElement]")
    expect(process.locator("option:checked")).to_have_text("行政许可")
    assert not [o for o in process.evaluate(OPTION_TEXTS) if o["value"] and o["value"] in o["text"]]

    # A form the file names that is not deployed: kept, read ⚠ key (as a lane's unknown code).
    analyst.evaluate("""() => { const task = window.cgModeler.get('elementRegistry').get('review_extension');
        const holder = task.businessObject.extensionElements.values.find((v) => v.$type === 'spiffworkflow:properties');
        holder.$children.find((p) => p.name === 'formKey').value = 'se_extention_review'; }""")
    _select(analyst, "classify")
    _select(analyst, "review_extension")
    expect(form.locator("option:checked")).to_have_text("⚠ se_extention_review")
    assert not journey.console_errors, journey.console_errors


def test_a_fields_visibility_rule_offers_the_other_fields_by_their_labels_and_namesakes_by_their_place(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/forms/forms/se_handle.json")
    expect(analyst.locator("#cg-form-page[data-ready=true]")).to_be_attached()
    card = analyst.locator("#cg-form-fields .cg-field-card").nth(1)
    card.locator("summary").click()
    shown = card.locator("select[name=visibleField]")
    options = [o for o in shown.evaluate(OPTION_TEXTS) if o["value"]]
    assert options and not [o for o in options if o["value"] in o["text"]], options
    assert "处理方式" in [o["text"] for o in options]

    # Two other fields of one label read with their place in the form; a rule on no field reads ⚠ key.
    analyst.click("[role=tab][data-view-tab=json]")
    editor = analyst.locator("#cg-form-text")
    doc = json.loads(editor.input_value())
    order = doc["uiSchema"]["ui:order"]
    first, second = order[2], order[3]
    doc["uiSchema"][second]["ui:title"]["zh"] = doc["uiSchema"][first]["ui:title"]["zh"]
    doc["uiSchema"][order[1]]["ui:visibleIf"] = {"field": "handle_decisoin", "in": ["accept"]}
    editor.fill(json.dumps(doc, ensure_ascii=False, indent=2))
    analyst.click("[role=tab][data-view-tab=fields]")
    texts = {o["value"]: o["text"] for o in shown.evaluate(OPTION_TEXTS)}
    label = doc["uiSchema"][first]["ui:title"]["zh"]
    assert texts[first] == f"{label}（第 3 项）" and texts[second] == f"{label}（第 4 项）", texts
    expect(shown.locator("option:checked")).to_have_text("⚠ handle_decisoin")
    journey.shot(analyst, "visibility-rule-names")
    assert not journey.console_errors, journey.console_errors
