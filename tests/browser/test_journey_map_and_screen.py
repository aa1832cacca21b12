"""The supervisor's case map and the operations-centre wall screen, in Chromium over the demo district.

The map draws the district's own outlines (no tile server), the demo's open cases and its filters, and a
click on a point opens the case. The screen fills 1920×1080 (and 3840×2160) without scrolling, takes in a
new report without reloading, and says it is reconnecting while the server cannot be reached, then
carries on when it answers again.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import case_id_from  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from engine.cases.service import start_case  # noqa: E402
from engine.org.service import actor_for  # noqa: E402
from engine.store.models.cases import Case  # noqa: E402

SUPERVISOR = "supervisor1"
DISPATCHER = "dispatcher1"
REPORT = {"title": "大屏测试：湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}


def _no_scrolling(page: Page, width: int, height: int) -> None:
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= width and size[1] <= height, f"the screen scrolls: {size} in {width}x{height}"


def test_a_supervisor_reads_the_case_map_filters_it_and_opens_a_case_from_a_point(journey, demo_db):
    page = journey.sign_in(SUPERVISOR)
    page.set_default_timeout(60_000)  # a shared machine may be slow; nothing here waits on a clock
    page.get_by_role("link", name="案件地图").click()
    page.wait_for_selector("#cg-case-map[data-ready='1'] canvas")
    summary = page.get_by_test_id("map-summary").inner_text()
    assert "未结案件" in summary and "超期" in summary
    points = page.evaluate("window.cgCaseMap.getOption().series.filter(s => s.type === 'scatter' && s.name)"
                           ".reduce((n, s) => n + s.data.length, 0)")
    with demo_db.transaction(readonly=True) as session:
        running = session.query(Case).filter(Case.status == "running", Case.family != "hot_spot").count()
    assert 0 < points <= running
    journey.shot(page, "map")

    page.select_option("select[name=family]", "social_event")
    with page.expect_navigation():
        page.locator("#cg-map-filters button[type=submit]").click()
    page.wait_for_selector("#cg-case-map[data-ready='1'] canvas")
    assert "family=social_event" in page.url
    journey.shot(page, "map-social-events")
    # The shading's scale has a band of its own: drawn over the district it hid the corner cells.
    assert not page.evaluate("""() => {
        const chart = window.cgCaseMap, model = chart.getModel();
        const district = model.getComponent('geo').coordinateSystem.getViewRect();
        const view = chart.getViewOfComponentModel(model.getComponent('visualMap'));
        const scale = view.group.getBoundingRect().clone();
        scale.applyTransform(view.group.getComputedTransform());
        return scale.intersect(district);
    }""")

    # A point is where the case is: clicking it opens the case page.
    target = page.evaluate("""() => {
        const chart = window.cgCaseMap;
        const series = chart.getOption().series.filter(s => s.type === 'scatter' && s.name && s.data.length);
        const point = series[series.length - 1].data[0];
        const xy = chart.convertToPixel({geoIndex: 0}, point.value);
        const box = document.getElementById('cg-case-map').getBoundingClientRect();
        return {x: box.left + xy[0], y: box.top + xy[1], url: point.url};
    }""")
    page.mouse.move(target["x"], target["y"])
    journey.shot(page, "map-tooltip")
    with page.expect_navigation():
        page.mouse.click(target["x"], target["y"])
    assert page.url.endswith(target["url"])
    with demo_db.transaction(readonly=True) as session:
        assert session.get(Case, case_id_from(page.url)) is not None
    journey.shot(page, "map-case")
    assert journey.console_errors == []


def _nothing_cut(page: Page) -> None:
    """Every chart label whole (ECharts cuts one that runs out of its panel to "网..."), and every list entry
    shown whole or not at all (the panels clip: the screen never scrolls)."""
    cut = page.evaluate("""() => ['cg-screen-today', 'cg-screen-departments', 'cg-screen-trend'].flatMap(id =>
        echarts.getInstanceByDom(document.getElementById(id)).getZr().storage.getDisplayList(true)
          .map(el => el.style && el.style.text).filter(t => t && /\\.\\.\\.|…/.test(String(t))))""")
    assert cut == [], f"chart labels cut short: {cut}"
    halves = page.evaluate("""() => [...document.querySelectorAll('.cg-screen-list')].flatMap(list =>
        [...list.children].filter(item => !item.hidden
          && item.getBoundingClientRect().bottom > list.getBoundingClientRect().bottom + 0.5)
          .map(item => item.textContent))""")
    assert halves == [], f"list entries cut through: {halves}"


def test_the_operations_screen_fills_a_wall_display_refreshes_live_and_reconnects(journey, demo_db):
    page = journey.sign_in(DISPATCHER)
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_role("link", name="运行大屏").click()
    page.wait_for_selector("#cg-screen[data-drawn] #cg-screen-map canvas")
    page.goto("/screen?refresh=2")
    page.wait_for_selector("#cg-screen[data-drawn] #cg-screen-map canvas")
    _no_scrolling(page, 1920, 1080)
    assert page.locator("h1").inner_text().count("城区运行管理中心") == 1
    before = int(page.locator("[data-kpi=today]").inner_text())
    page.wait_for_timeout(300)  # the charts' first animation
    _nothing_cut(page)
    journey.shot(page, "screen-1920")

    # A report taken meanwhile shows on the screen without reloading it.
    with demo_db.transaction() as session:
        start_case(session, "social_event", REPORT, actor_for(session, "hotline1"))
    page.wait_for_function(f"Number(document.querySelector('[data-kpi=today]').textContent) === {before + 1}",
                           timeout=15_000)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # not reloaded

    # The server out of reach (restarting): the screen says so and keeps trying; back, it goes on.
    page.route("**/screen/data.json", lambda route: route.abort())
    page.wait_for_selector("#cg-screen-status[data-state=lost]", timeout=15_000)
    assert "正在重新连接" in page.locator("#cg-screen-status").inner_text()
    journey.shot(page, "screen-reconnecting")
    page.unroute("**/screen/data.json")
    page.wait_for_selector("#cg-screen-status[data-state=live]", timeout=20_000)

    page.set_viewport_size({"width": 3840, "height": 2160})
    page.wait_for_timeout(500)
    _no_scrolling(page, 3840, 2160)
    _nothing_cut(page)
    journey.shot(page, "screen-3840")
    assert journey.console_errors == []
    assert datetime.now(UTC)  # (the journey ran against the live clock)


def test_the_screen_in_english_writes_its_emergencies_agencies_with_english_punctuation(journey, demo_db):
    page = journey.sign_in(DISPATCHER, locale="en")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/screen")
    page.wait_for_selector("#cg-screen[data-drawn] .cg-agencies")
    agencies = page.locator(".cg-agencies").first.inner_text()
    assert " (" in agencies and not set("（）、") & set(agencies), agencies
    journey.shot(page, "screen-english")


def test_a_grid_worker_is_turned_away_from_the_screen(journey):
    page = journey.sign_in("gw_s01c01g01")
    response = page.goto("/screen")
    assert response is not None and response.status == 403
    assert "运行中心大屏" in page.content()
    journey.shot(page, "screen-refused")
