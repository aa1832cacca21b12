"""Lanes in the studio modeler: the canvas names each lane's role or department in the page's language, while
the file keeps the routing code the lane's `name` holds (docs/bpmn-conventions.md); a lane is renamed by
choosing its role in the properties panel, never by typing a name into the code on the canvas."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from lxml import etree  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from engine.definitions.service import get_version  # noqa: E402

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
# social_event's lanes (processes/social_event.bpmn) and their roles' names (rules/organisation.yaml).
LANES = {"lane_grid": "grid_worker", "lane_dispatch": "dispatcher", "lane_handle": "handler",
         "lane_supervise": "supervisor", "lane_hotline": "hotline"}
ZH = {"grid_worker": "网格员", "dispatcher": "受理派遣员", "handler": "处置员", "supervisor": "督办员",
      "hotline": "热线坐席", "department_head": "部门负责人"}
EN = {"grid_worker": "Grid worker", "dispatcher": "Dispatcher", "handler": "Department handler",
      "supervisor": "Supervisor", "hotline": "Hotline operator"}
ROLE_CODES = ["grid_worker", "dispatcher", "handler", "department_head", "supervisor", "hotline", "analyst",
              "admin", "window_staff", "duty_officer", "agency_officer"]

# What the canvas shows: the text of every drawn label (its tspans, not the tooltips' <title>s).
CANVAS_TEXTS = """() => [...document.querySelectorAll('#cg-canvas svg text')].map(
    (t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join('')).filter((s) => s.trim())"""
SAVED_XML = "async () => (await window.cgModeler.saveXML({format: true})).xml"


def _lane_names(xml: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode())
    return {lane.get("id"): lane.get("name") for lane in root.iter(f"{BPMN}lane")}


def _lane_label(page, lane_id: str):
    return page.locator(f'g.djs-element[data-element-id="{lane_id}"] > .djs-visual > text.cg-lane-label')


def _drawn(page, lane_id: str) -> str:
    """The lane's label as drawn (its lines; the tooltip is not drawn)."""
    label = _lane_label(page, lane_id)
    expect(label).to_have_count(1)
    return label.evaluate("(t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join('')")


def _point_at(page, lane_id: str) -> tuple[float, float]:
    """Where a person points at the lane's label (the lane's hit area lies over the drawn text), the lane
    first brought into the window at 1:1 as a person would scroll to it."""
    page.evaluate("""(id) => { const m = window.cgModeler, c = m.get('canvas'), v = c.viewbox();
        const lane = m.get('elementRegistry').get(id);
        c.viewbox({x: lane.x - 150, y: lane.y + lane.height / 2 - v.outer.height / 2,
                   width: v.outer.width, height: v.outer.height}); }""", lane_id)
    box = _lane_label(page, lane_id).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _codes_in(texts: list[str]) -> list[tuple[str, str]]:
    return [(code, text) for text in texts for code in ROLE_CODES
            if re.search(rf"(?<![A-Za-z_]){code}(?![A-Za-z_])", text)]


def _open_modeler(page):
    page.goto("/studio/processes/social_event/edit")
    expect(page.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    # At 1:1 on the pool's left edge, where the lanes' labels are (as the zoom buttons would get there).
    page.evaluate("""() => { const c = window.cgModeler.get('canvas'), v = c.viewbox();
        const pool = window.cgModeler.get('elementRegistry').filter((e) => e.type === 'bpmn:Participant')[0];
        c.viewbox({x: pool.x - 120, y: pool.y - 20, width: v.outer.width, height: v.outer.height}); }""")


def test_the_canvas_names_lanes_by_their_roles_in_chinese_and_the_saved_file_keeps_the_codes(journey, demo_db):
    analyst = journey.sign_in("analyst")
    _open_modeler(analyst)
    with demo_db.transaction(readonly=True) as session:
        deployed = _lane_names(get_version(session, "social_event", 1).bpmn_xml)
    assert {k: deployed[k] for k in LANES} == LANES

    for lane_id, code in LANES.items():
        assert _drawn(analyst, lane_id) == ZH[code]
        expect(_lane_label(analyst, lane_id)).not_to_have_class(re.compile("cg-lane-unknown"))
    texts = analyst.evaluate(CANVAS_TEXTS)
    assert set(ZH[c] for c in LANES.values()) <= set(texts)
    assert not _codes_in(texts), _codes_in(texts)
    journey.shot(analyst, "lanes-named-in-chinese")
    # Drawing names changed nothing in the diagram: the file the modeler writes has the codes.
    assert _lane_names(analyst.evaluate(SAVED_XML)) == deployed

    # Double-clicking a lane does not open a text box on the code: it opens the role select, in Chinese.
    analyst.mouse.dblclick(*_point_at(analyst, "lane_supervise"))
    expect(analyst.locator(".djs-direct-editing-parent")).to_be_hidden()
    panel = analyst.locator("#cg-properties")
    expect(panel).to_have_attribute("data-element-id", "lane_supervise")
    lane_select = panel.locator("select[name=laneCode]")
    expect(lane_select).to_be_focused()
    expect(analyst.locator("#cg-studio-status")).to_contain_text("属性面板")
    expect(lane_select.locator("option:checked")).to_contain_text("督办员")
    expect(lane_select.locator("option[value=dispatcher]")).to_contain_text("受理派遣员")
    # The E key (bpmn-js's direct editing shortcut) on a selected lane does the same.
    analyst.locator("#cg-canvas .djs-container > svg").focus()  # the canvas takes keys when focused
    expect(lane_select).not_to_be_focused()
    analyst.keyboard.press("e")
    expect(lane_select).to_be_focused()
    expect(analyst.locator(".djs-direct-editing-parent")).to_be_hidden()
    journey.shot(analyst, "lane-double-clicked-role-select-focused")

    # A code the organisation does not know is drawn as it is, in red, and the panel flags it.
    analyst.evaluate("""() => { const m = window.cgModeler;
        m.get('modeling').updateProperties(m.get('elementRegistry').get('lane_hotline'), {name: 'street_office'}); }""")
    unknown = _lane_label(analyst, "lane_hotline")
    assert _drawn(analyst, "lane_hotline") == "⚠ street_office"
    expect(unknown).to_have_class(re.compile("cg-lane-unknown"))
    analyst.mouse.click(*_point_at(analyst, "lane_hotline"))
    expect(panel.locator("select[name=laneCode]")).to_have_attribute("aria-invalid", "true")
    journey.shot(analyst, "unknown-lane-code-marked")
    analyst.evaluate("() => window.cgModeler.get('commandStack').undo()")
    assert _drawn(analyst, "lane_hotline") == ZH["hotline"]

    # Choosing another role in the select: the canvas shows its name, the deployed file its code.
    analyst.mouse.click(*_point_at(analyst, "lane_supervise"))
    expect(panel).to_have_attribute("data-element-id", "lane_supervise")
    panel.locator("select[name=laneCode]").select_option("department_head")
    assert _drawn(analyst, "lane_supervise") == ZH["department_head"]
    assert not _codes_in(analyst.evaluate(CANVAS_TEXTS))
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("social_event v2")
    journey.shot(analyst, "deployed-with-the-new-lane-role")
    with demo_db.transaction(readonly=True) as session:
        saved = _lane_names(get_version(session, "social_event", 2).bpmn_xml)
    assert saved == {**deployed, "lane_supervise": "department_head"}
    assert not journey.console_errors, journey.console_errors


def test_in_english_the_canvas_names_lanes_by_their_roles_english_names(journey):
    analyst = journey.sign_in("analyst", locale="en")
    _open_modeler(analyst)
    for lane_id, code in LANES.items():
        assert _drawn(analyst, lane_id) == EN[code]
    # "Department handler" is the name; no label is a bare code.
    assert not {text.strip() for text in analyst.evaluate(CANVAS_TEXTS)} & set(ROLE_CODES)
    journey.shot(analyst, "lanes-named-in-english")
    assert not journey.console_errors, journey.console_errors
