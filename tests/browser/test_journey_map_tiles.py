"""With a tile server configured (CASEGRID_MAP_TILE_URL), the case map and the report form's picker draw
its tiles under the district's outlines, ask that host and no other, and the pages' Content-Security-Policy
lets images come from it. The tile server is played by the browser itself (Playwright answers its
requests), so the test needs no network.
"""
from __future__ import annotations

import io
import math
import re

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")
pytest.importorskip("PIL", reason="Pillow is not installed (pip install -e .)")

from PIL import Image, ImageDraw  # noqa: E402
from playwright.sync_api import Page, Route  # noqa: E402

from web.maptiles import tile_layer_from  # noqa: E402

TILE_HOST = "https://tiles.example.test"
TILE = re.compile(r"^https://tiles\.example\.test/(\d+)/(\d+)/(\d+)\.png$")
ATTRIBUTION = "底图 © 示例时空信息平台"
DISTRICT = (114.10, 22.53, 114.20, 22.59)  # around rules/geometry/district.json: west, south, east, north


@pytest.fixture
def server_config() -> dict[str, object]:
    return {"MAP_TILES": tile_layer_from({"CASEGRID_MAP_TILE_URL": TILE_HOST + "/{z}/{x}/{y}.png",
                                          "CASEGRID_MAP_TILE_ATTRIBUTION": ATTRIBUTION})}


def _tile_png() -> bytes:
    image = Image.new("RGB", (256, 256), (214, 230, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(150, 170, 150))
    draw.line((0, 128, 255, 128), fill=(250, 250, 250), width=6)  # a "road" across every tile
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _serve_tiles(page: Page) -> list[tuple[int, int, int]]:
    """Answer the tile server's requests in the browser; returns the (z, x, y) asked for, as they come."""
    asked: list[tuple[int, int, int]] = []
    body = _tile_png()

    def answer(route: Route) -> None:
        match = TILE.match(route.request.url)
        assert match, route.request.url
        asked.append((int(match.group(1)), int(match.group(2)), int(match.group(3))))
        route.fulfill(status=200, content_type="image/png", body=body)

    page.route(TILE_HOST + "/**", answer)
    return asked


def _overlaps_district(z: int, x: int, y: int) -> bool:
    n = 2 ** z
    west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return west < DISTRICT[2] and east > DISTRICT[0] and south < DISTRICT[3] and north > DISTRICT[1]


def test_the_case_map_and_the_picker_draw_the_configured_tiles_under_the_outlines(journey, demo_db):
    page = journey.sign_in("supervisor1")
    errors: list[str] = []  # a Content-Security-Policy refusal is reported as one
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    asked = _serve_tiles(page)
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(request.url.split("/")[2]))
    response = page.goto("/map")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert f"img-src 'self' data: blob: {TILE_HOST};" in policy
    page.wait_for_selector("#cg-case-map[data-ready='1'] canvas")
    page.wait_for_timeout(500)  # the tiles' images load after the first drawing
    assert asked, "no tile was asked for"
    assert all(_overlaps_district(*tile) for tile in asked), asked
    first_zoom = max(z for z, _x, _y in asked)
    assert 12 <= first_zoom <= 18
    assert page.get_by_test_id("map-attribution").inner_text() == ATTRIBUTION
    journey.shot(page, "map-with-tiles")

    # Zooming in asks for the tiles of a deeper level.
    box = page.locator("#cg-case-map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(150)
    page.wait_for_timeout(600)
    assert max(z for z, _x, _y in asked) > first_zoom
    journey.shot(page, "map-with-tiles-zoomed")

    picker = journey.sign_in("gw_s01c01g01")
    picked_tiles = _serve_tiles(picker)
    answer = picker.goto("/start/social_event")
    assert answer is not None and TILE_HOST in answer.headers["content-security-policy"]
    picker.wait_for_selector("[data-cg-map-picker][data-ready='1'] canvas")
    picker.wait_for_timeout(500)
    assert picked_tiles and all(_overlaps_district(*tile) for tile in picked_tiles)
    assert picker.locator(".cg-map-picker .cg-map-attribution").inner_text() == ATTRIBUTION
    picker.locator(".cg-map-picker-map").scroll_into_view_if_needed()
    xy = picker.evaluate("""() => {
        const chart = window.cgMapPicker;
        const p = chart.convertToPixel({geoIndex: 0}, [114.125, 22.548]);
        const box = chart.getDom().getBoundingClientRect();
        return [box.left + p[0], box.top + p[1]];
    }""")
    picker.mouse.click(xy[0], xy[1])
    picker.wait_for_selector(".cg-map-picker[data-state='inside']")
    assert picker.locator(".cg-map-picker [role=status]").inner_text() == "所在网格：桂园社区第2网格"
    journey.shot(picker, "picker-with-tiles")

    app_host = journey.base_url.split("/")[2]
    assert set(hosts) <= {app_host, "tiles.example.test"}
    assert errors == [] and journey.console_errors == []
