"""Journey 3: an analyst changes a process in the browser modeler and deploys it as a new version.

The analyst opens social_event, drops a task onto the flow after the report and makes it a user task; the
server's validation marks it on the diagram for naming no form; the analyst picks a form in the properties
panel, validates clean and deploys. A case started afterwards runs on v2 and stops at the new task; a case
started before keeps v1 and carries on along the old diagram.
"""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import case_id_from, fill_form, submit_form  # noqa: E402
from lxml import etree  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.cases.service import start_case  # noqa: E402
from engine.commands.tasks import claim, complete  # noqa: E402
from engine.definitions.service import get_version  # noqa: E402
from engine.org.service import actor_for  # noqa: E402
from engine.store.models.cases import Case  # noqa: E402
from engine.store.models.definitions import ProcessVersion  # noqa: E402
from engine.store.models.tasks import WorkItem  # noqa: E402

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
REPORT = {"title": "浏览器测试：人民南路占道", "category": "0401", "grid_cell": "S05C02G02",
          "address": "人民南路罗湖商业城侧", "description": "流动商贩占用人行道", "report_channel": "grid_worker"}


def _open_tasks(demo_db, case_id: int) -> list[str]:
    with demo_db.transaction(readonly=True) as session:
        return sorted(session.scalars(select(WorkItem.task_spec).where(
            WorkItem.case_id == case_id, WorkItem.status == "open")))


def _version_of(demo_db, case_id: int) -> int:
    with demo_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        return session.get(ProcessVersion, case.process_version_id).version


def test_an_analyst_adds_a_user_task_fixes_its_missing_form_and_deploys_a_version_new_cases_use(journey, demo_db):
    with demo_db.transaction() as session:
        old = start_case(session, "social_event", {**REPORT, "title": "浏览器测试：部署前上报的案件"},
                         actor_for(session, "gw_s05c02g02"))
        old_id = old.id
    assert _version_of(demo_db, old_id) == 1 and _open_tasks(demo_db, old_id) == ["register"]

    analyst = journey.sign_in("analyst")
    analyst.click("nav.cg-nav a[href='/studio/']")
    analyst.locator("#cg-processes tr[data-process=social_event] a[href$='/edit']").click()
    page = analyst.locator("#cg-modeler-page[data-ready=true]")
    expect(page).to_be_attached()
    # The diagram as deployed survives the modeler's round trip: nothing to complain about yet.
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    journey.shot(analyst, "modeler-opens-social-event")

    # The whole diagram opens fitted into the window; the analyst zooms in to 1:1 on the report's flow,
    # clear of the palette (as the zoom buttons and dragging the canvas would).
    analyst.evaluate("""() => { const m = window.cgModeler, c = m.get('canvas'), v = c.viewbox();
        const p = m.get('elementRegistry').get('f_start').waypoints[0];
        c.viewbox({x: p.x - 300, y: p.y - 200, width: v.outer.width, height: v.outer.height}); }""")
    journey.shot(analyst, "zoomed-in")
    # Drop a task from the palette onto the flow from the report to the first step, make it a user task.
    flow = analyst.locator('g.djs-element[data-element-id="f_start"]').bounding_box()
    x, y = flow["x"] + flow["width"] / 2, flow["y"] + flow["height"] / 2
    analyst.locator('.djs-palette .entry[data-action="create.task"]').click()
    analyst.mouse.move(x - 30, y, steps=4)
    analyst.mouse.move(x, y, steps=4)
    analyst.mouse.click(x, y)
    analyst.locator('.djs-context-pad [data-action="replace"]').click()
    analyst.locator('[data-id="replace-with-user-task"]').click()
    panel = analyst.locator("#cg-properties")
    expect(panel.locator("h2")).to_have_attribute("data-type", "UserTask")
    new_id = panel.locator("input[name=id]").input_value()
    panel.locator("input[name=name]").fill("现场复核")
    panel.locator("input[name=name]").press("Enter")
    panel.locator("input[name=name]").blur()

    analyst.click("[data-action=validate]")
    problem = analyst.locator(f"#cg-problems li[data-element='{new_id}']")
    expect(problem).to_contain_text("人工任务未指定表单")
    expect(analyst.locator(f".cg-problem-badge[data-element='{new_id}']")).to_be_visible()
    expect(analyst.locator(f'g.djs-element.cg-problem[data-element-id="{new_id}"]')).to_be_attached()
    journey.shot(analyst, "validation-marks-the-task-without-a-form")

    problem.locator("a").click()  # selects the element the problem is about
    expect(panel).to_have_attribute("data-element-id", new_id)
    # The problem line is on the element: under the panel's heading, and on the control it is about.
    expect(panel.locator(".cg-element-problems li")).to_contain_text("人工任务未指定表单")
    form = panel.locator("select[name=formKey]")
    expect(form).to_have_attribute("aria-invalid", "true")
    journey.shot(analyst, "problem-line-on-the-element")
    form.select_option("sample_reading")
    analyst.click("[data-action=validate]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    expect(analyst.locator(".cg-problem-badge")).to_have_count(0)
    expect(panel.locator(".cg-element-problems")).to_have_count(0)
    expect(panel.locator("select[name=formKey]")).not_to_have_attribute("aria-invalid", "true")
    journey.shot(analyst, "fixed-and-valid")

    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("social_event v2")
    journey.shot(analyst, "deployed-v2")

    with demo_db.transaction(readonly=True) as session:
        v2 = get_version(session, "social_event", 2)
        root = etree.fromstring(v2.bpmn_xml.encode())
    task = root.find(f".//{BPMN}userTask[@id='{new_id}']")
    assert task is not None and task.get("name") == "现场复核"
    flows = {f.get("id"): (f.get("sourceRef"), f.get("targetRef")) for f in root.iter(f"{BPMN}sequenceFlow")}
    assert ("start", new_id) in flows.values() and (new_id, "init") in flows.values()

    # A new report runs on v2 and waits at the new task; the analyst's studio lists both versions.
    worker = journey.sign_in("gw_s05c02g02")
    worker.goto("/start/social_event")
    fill_form(worker, REPORT)
    submit_form(worker)
    new_case = case_id_from(worker.url)
    expect(worker.locator('[data-process="social_event"]')).to_have_text("v2")
    journey.shot(worker, "new-case-on-v2")
    assert _version_of(demo_db, new_case) == 2
    assert _open_tasks(demo_db, new_case) == [new_id]

    # The case opened before the deployment stays on v1 and moves along the old diagram.
    with demo_db.transaction() as session:
        dispatcher = actor_for(session, "dispatcher1")
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == old_id, WorkItem.status == "open")).one()
        claim(session, dispatcher, item.id)
        complete(session, dispatcher, item.id, {"register_decision": "register"})
    assert _version_of(demo_db, old_id) == 1
    assert _open_tasks(demo_db, old_id) == ["dispatch"]

    analyst.goto("/studio/processes/social_event")
    expect(analyst.locator("#cg-versions tr[data-version]")).to_have_count(2)
    journey.shot(analyst, "versions")
    assert not journey.console_errors, journey.console_errors


def test_deploying_a_diagram_opened_and_left_unchanged_makes_no_new_version(journey, demo_db):
    """The modeler writes a diagram back in its own layout (attributes, line breaks, no comments): sent as
    that, an unchanged diagram was a new version v2 of the same process, and the file's comments were gone."""
    analyst = journey.sign_in("analyst")
    analyst.goto("/studio/processes/social_event/edit")
    expect(analyst.locator("#cg-modeler-page[data-ready=true]")).to_be_attached()
    analyst.click("[data-action=deploy]")
    expect(analyst.locator("#cg-studio-status")).to_have_attribute("data-kind", "ok")
    expect(analyst.locator("#cg-studio-status")).to_contain_text("没有变化")
    with demo_db.transaction(readonly=True) as session:
        versions = session.scalars(select(ProcessVersion.version).where(
            ProcessVersion.process_key == "social_event")).all()
    assert versions == [1]
