"""A grid worker picks the report's point on the district map inside the report form (Chromium, demo
district, no tile server): a click inside a grid cell fills latitude and longitude and names the cell,
and the case opened gets that cell (decided by the server from the point); a click outside every cell
says so, and sending the form then is refused by the server. On a phone a tap does the same. With no
tile server configured the pages ask nothing of any host but the app's own.
"""
from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import case_id_from, fill_form, submit_form  # noqa: E402
from playwright.sync_api import Page  # noqa: E402

from engine.store.models.cases import Case  # noqa: E402

WORKER = "gw_s01c01g01"  # rules/demo_users.yaml: the grid worker of 桂园社区第1网格, whose cell the form suggests
INSIDE = (22.5480, 114.1250)  # rules/geometry/district.json: inside S01C01G02, 桂园社区第2网格
REPORT = {"title": "地图选点：桂园路井盖缺失", "category": "0104", "address": "桂园路与红宝路交叉口东侧",
          "description": "人行道井盖缺失，已临时放置锥桶"}


def _requests(page: Page) -> list[str]:
    """Every URL the page asks for from now on."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def _console_errors(page: Page) -> list[str]:
    """What the browser reports as errors from now on (a Content-Security-Policy refusal among them)."""
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text) if message.type == "error" else None)
    return seen


def _screen_point(page: Page, longitude: float, latitude: float) -> tuple[float, float]:
    """Where (longitude, latitude) is drawn on the picker, in the window's coordinates (scrolled into view)."""
    page.locator(".cg-map-picker-map").scroll_into_view_if_needed()
    xy = page.evaluate("""([lon, lat]) => {
        const chart = window.cgMapPicker;
        const p = chart.convertToPixel({geoIndex: 0}, [lon, lat]);
        const box = chart.getDom().getBoundingClientRect();
        return [box.left + p[0], box.top + p[1]];
    }""", [longitude, latitude])
    return xy[0], xy[1]


def _open_report_form(page: Page) -> None:
    page.goto("/start/social_event")
    page.wait_for_selector("[data-cg-map-picker][data-ready='1'] canvas")


def test_a_grid_worker_picks_the_point_on_the_map_and_the_case_gets_that_cell(journey, demo_db):
    page = journey.sign_in(WORKER)
    requests = _requests(page)
    refused = _console_errors(page)
    _open_report_form(page)
    form = page.locator("form.cg-form")
    assert form.locator("select[name=grid_cell]").input_value() == "S01C01G01"  # suggested: their own cell
    assert "在地图上点击" in page.locator(".cg-map-picker").inner_text()
    fill_form(page, REPORT)
    x, y = _screen_point(page, INSIDE[1], INSIDE[0])
    page.mouse.click(x, y)
    status = page.locator(".cg-map-picker [role=status]")
    page.wait_for_selector(".cg-map-picker[data-state='inside']")
    assert status.inner_text() == "所在网格：桂园社区第2网格"  # the name, never the code
    assert form.locator("select[name=grid_cell]").input_value() == "S01C01G02"  # the list says the same cell
    latitude = float(form.locator("input[name=latitude]").input_value())
    longitude = float(form.locator("input[name=longitude]").input_value())
    assert latitude == pytest.approx(INSIDE[0], abs=2e-4) and longitude == pytest.approx(INSIDE[1], abs=2e-4)
    assert page.evaluate("window.cgMapPicker.getOption().series.find(s => s.id === 'cg-picked').data.length") == 1
    journey.shot(page, "picked-inside")

    submit_form(page)
    with demo_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id_from(page.url))
        assert case is not None
        # The point decided, over the cell the form had suggested.
        assert case.grid_cell == "S01C01G02"
        assert case.latitude == pytest.approx(latitude) and case.longitude == pytest.approx(longitude)
    journey.shot(page, "case-opened")
    assert [url for url in requests if not url.startswith(journey.base_url) and not url.startswith("data:")] == []
    assert refused == [] and journey.console_errors == []


def test_a_point_outside_every_cell_is_named_on_the_map_and_refused_when_sent(journey, demo_db):
    page = journey.sign_in(WORKER)
    _open_report_form(page)
    with demo_db.transaction(readonly=True) as session:
        before = session.query(Case).count()
    fill_form(page, REPORT)
    page.locator(".cg-map-picker-map").scroll_into_view_if_needed()
    box = page.locator(".cg-map-picker-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 4, box["y"] + 4)  # the map's corner: beyond the district's outline
    page.wait_for_selector(".cg-map-picker[data-state='outside']")
    assert "该位置不在本区任何网格内" in page.locator(".cg-map-picker [role=status]").inner_text()
    assert page.locator("input[name=latitude]").input_value() != ""
    journey.shot(page, "picked-outside")

    submit_form(page)  # the picker is a convenience: the server decides, and refuses
    assert "/start/social_event" in page.url
    error = page.locator(".cg-error-summary").inner_text()
    assert "该位置不在本区任何网格内" in error
    # The form comes back with the point, and the picker shows it and says it again.
    page.wait_for_selector(".cg-map-picker[data-state='outside']")
    with demo_db.transaction(readonly=True) as session:
        assert session.query(Case).count() == before
    journey.shot(page, "refused-outside")
    assert journey.console_errors == []


def test_on_a_phone_a_tap_picks_the_point_and_the_page_still_fits(journey, demo_db):
    page = journey.sign_in(WORKER, phone=True)
    _open_report_form(page)
    x, y = _screen_point(page, INSIDE[1], INSIDE[0])
    page.touchscreen.tap(x, y)
    page.wait_for_selector(".cg-map-picker[data-state='inside']")
    assert page.locator(".cg-map-picker [role=status]").inner_text() == "所在网格：桂园社区第2网格"
    assert page.locator("input[name=latitude]").input_value() != ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    journey.shot(page, "phone-tap")
    assert journey.console_errors == []


def test_coordinates_typed_over_a_pick_that_name_no_place_take_the_marker_and_the_cell_away(journey, demo_db):
    page = journey.sign_in(WORKER)
    _open_report_form(page)
    x, y = _screen_point(page, INSIDE[1], INSIDE[0])
    page.mouse.click(x, y)
    page.wait_for_selector(".cg-map-picker[data-state='inside']")
    status = page.locator(".cg-map-picker [role=status]")
    markers = "window.cgMapPicker.getOption().series.find(s => s.id === 'cg-picked').data.length"
    for latitude, longitude in (("-91", "500"), ("", "")):
        page.locator("input[name=latitude]").fill(latitude)
        page.locator("input[name=longitude]").fill(longitude)
        page.locator("input[name=longitude]").dispatch_event("change")
        page.wait_for_selector(".cg-map-picker:not([data-state])", timeout=5_000)
        assert status.inner_text() == "" and page.evaluate(markers) == 0, (latitude, longitude)
        x, y = _screen_point(page, INSIDE[1], INSIDE[0])  # and a new pick is shown again
        page.mouse.click(x, y)
        page.wait_for_selector(".cg-map-picker[data-state='inside']")
        assert status.inner_text() == "所在网格：桂园社区第2网格" and page.evaluate(markers) == 1
    assert journey.console_errors == []


def test_the_picker_speaks_english_when_asked(journey, demo_db):
    page = journey.sign_in(WORKER, locale="en")
    _open_report_form(page)
    assert "Click (or tap) where the event is" in page.locator(".cg-map-picker").inner_text()
    x, y = _screen_point(page, INSIDE[1], INSIDE[0])
    # Dragging pans the map: no point is picked by it.
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 30, steps=6)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert page.locator("input[name=latitude]").input_value() == ""
    assert page.locator(".cg-map-picker").get_attribute("data-state") is None
    x, y = _screen_point(page, INSIDE[1], INSIDE[0])  # where the point is after the pan
    page.mouse.click(x, y)
    page.wait_for_selector(".cg-map-picker[data-state='inside']")
    assert page.locator(".cg-map-picker [role=status]").inner_text() == "Grid cell: Guiyuan grid 2"
