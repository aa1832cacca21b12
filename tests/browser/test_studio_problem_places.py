"""The studio's editors list problems with the file's path and the element in the page's language and in words
(用户任务「案卷建立（立案）」, 决策「事件分类与处置时限」第 1 条规则的输出「处置时限」, 未命名字段（第 4 项）), the element's ids
in the words' title; a line about an element of the open diagram still selects it."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402

from engine.config import PROJECT_ROOT  # noqa: E402

CATALOGUE = "rules/social_event_catalogue.dmn"
BROKEN_CELL = ("<outputEntry><text>4</text></outputEntry>", '<outputEntry><text>"四"</text></outputEntry>')


def _broken_catalogue() -> str:
    return (PROJECT_ROOT / CATALOGUE).read_text(encoding="utf-8").replace(*BROKEN_CELL, 1)


def test_a_diagrams_problem_line_names_the_task_in_words_its_id_in_the_title_and_selects_it(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    analyst.evaluate("id => { const m = window.cgModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
                     "register")
    panel = analyst.locator("#cg-properties")
    panel.locator("select[name=formKey]").select_option("")
    analyst.click("[data-action=validate]")
    line = analyst.locator("#cg-problems li[data-element=register]")
    expect(line.locator("code")).to_have_text("processes/social_event.bpmn")
    place = line.locator(".cg-problem-place")
    expect(place).to_have_text("用户任务「案卷建立（立案）」")
    expect(place).to_have_attribute("title", "元素标识：register")
    expect(line).not_to_contain_text("· register")
    journey.shot(analyst, "task-named-in-words")
    line.locator("a").click()  # the line still selects the element it is about
    expect(panel).to_have_attribute("data-element-id", "register")
    assert not journey.console_errors, journey.console_errors


def test_a_decision_tables_and_a_forms_problem_lines_name_the_rule_column_and_field_in_words(journey):
    analyst = journey.sign_in("analyst")
    analyst.goto(f"/studio/decisions/{CATALOGUE}")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    analyst.evaluate("async (xml) => { await window.cgDmn.importXML(xml); }", _broken_catalogue())
    analyst.click("[data-action=validate]")
    place = analyst.locator("#cg-problems li .cg-problem-place")
    expect(place).to_have_text("决策「事件分类与处置时限」第 1 条规则的输出「处置时限」")
    expect(place).to_have_attribute("title", "决策标识：se_catalogue；规则标识：c0101；输出名：limit_value")
    expect(analyst.locator("#cg-problems li code")).to_have_text(CATALOGUE)
    journey.shot(analyst, "rule-named-in-words")

    analyst.goto("/studio/forms/forms/se_report.json")
    analyst.click("[role=tab][data-view-tab=json]")
    editor = analyst.locator("#cg-form-text")
    doc = json.loads(editor.input_value())
    del doc["uiSchema"]["address"]["ui:title"]
    editor.fill(json.dumps(doc, ensure_ascii=False, indent=2))
    place = analyst.locator("#cg-problems li .cg-problem-place")
    expect(place).to_have_text("未命名字段（第 4 项）")
    expect(place).to_have_attribute("title", "字段键名：address")
    journey.shot(analyst, "field-named-by-its-place")
    assert not journey.console_errors, journey.console_errors


def test_in_english_a_problem_line_names_the_decision_and_rule_in_english_words(journey):
    analyst = journey.sign_in("analyst", locale="en")
    analyst.goto(f"/studio/decisions/{CATALOGUE}")
    expect(analyst.locator("#cg-decision-page[data-ready=true]")).to_be_attached()
    analyst.evaluate("async (xml) => { await window.cgDmn.importXML(xml); }", _broken_catalogue())
    analyst.click("[data-action=validate]")
    place = analyst.locator("#cg-problems li .cg-problem-place")
    expect(place).to_have_text("decision 事件分类与处置时限, rule 1, output 处置时限")
    expect(place).to_have_attribute("title", "decision id: se_catalogue; rule id: c0101; output name: limit_value")
    journey.shot(analyst, "rule-named-in-english")
    assert not journey.console_errors, journey.console_errors
