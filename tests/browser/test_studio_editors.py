"""The studio's decision-table and form editors in the browser: dmn-js loads a deployed table and the
server validates it; the form editor previews through the server's own renderer as the analyst types."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402

from engine.definitions.service import current_bundle  # noqa: E402


def test_a_deployed_decision_table_opens_in_dmn_js_and_validates_clean(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/")
    analyst.locator("#cg-files tr[data-path='rules/social_event_routing.dmn'] a").first.click()
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    expect(analyst.locator("#cg-dmn .tjs-table")).to_be_visible()
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

    editor = analyst.locator("#cg-form-text")
    doc = json.loads(editor.input_value())
    doc["uiSchema"]["note"]["ui:title"]["zh"] = "巡查备注"
    editor.fill(json.dumps(doc, ensure_ascii=False, indent=2))
    expect(preview).to_contain_text("巡查备注")

    editor.fill(editor.input_value().replace('"key": "sample_reading"', '"key": "other"'))
    expect(analyst.locator("#cg-problems li")).to_contain_text("must equal the file name")
    journey.shot(analyst, "form-problem")
    editor.fill(editor.input_value().replace('"key": "other"', '"key": "sample_reading"'))
    expect(analyst.locator("#cg-problems li")).to_have_count(0)
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    journey.shot(analyst, "form-deployed")
    with demo_db.transaction(readonly=True) as session:
        assert "巡查备注" in current_bundle(session).files["forms/sample_reading.json"]
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
    journey.shot(analyst, "timer-expression-refused")

    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    _select(analyst, "lane_dispatch")
    expect(panel.locator("select[name=laneCode]")).to_have_value("dispatcher")
    journey.shot(analyst, "lane-code")
    assert not journey.console_errors, journey.console_errors
