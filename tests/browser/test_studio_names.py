"""The studio reads as names, not codes, where analysts see a code: the decision requirements diagram names the
file's decisions by their name, never by the definitions' id."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402


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
