"""The map picker of start forms that ask for a point (latitude and longitude), the /locate answer it
shows, and the optional tile server: the picker is drawn from the district's outlines only where both
exist, the cell it names is the one the server derives, and the pages that draw the map allow images
from this site only, and from the tile server only when one is configured."""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from webtools import login

from engine.forms.loader import load_form
from engine.store.database import Database
from engine.store.models.org import OrgUnit
from tests.conftest import clear_engine_caches, deploy_bundled
from web import create_app
from web.forms.picker import MapPicker
from web.forms.render import render_form
from web.maptiles import tile_layer_from

INSIDE = {"latitude": "22.548", "longitude": "114.125"}  # rules/geometry/district.json: S01C01G02
OUTSIDE = {"latitude": "22.60", "longitude": "114.30"}
TILES = tile_layer_from({"CASEGRID_MAP_TILE_URL": "https://tiles.example.test/{z}/{x}/{y}.png",
                         "CASEGRID_MAP_TILE_ATTRIBUTION": "底图 © 示例平台"})
WORKER = "gw_s01c01g01"  # the demo users' grid worker (rules/demo_users.yaml)
DEMO_PASSWORD = "demo1234"


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _district(template: Path, folder: Path, drawn: bool = True) -> Database:
    path = folder / "district.sqlite3"
    shutil.copy(template, path)
    clear_engine_caches()
    database = Database(f"sqlite:///{path}")
    deploy_bundled(database, demo_users=True)
    if not drawn:
        with database.transaction() as session:
            session.execute(update(OrgUnit).values(geometry=None))
    return database


def _app(database: Database, folder: Path, **config: object) -> Flask:
    return create_app({"DATABASE_URL": database.url, "SECRET_KEY": "test-secret", "TESTING": True,
                       "UPLOAD_DIR": str(folder / "uploads"), **config})


@pytest.fixture(scope="module")
def district(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = _district(sqlite_template, tmp_path_factory.mktemp("picker"))
    yield database
    database.dispose()
    clear_engine_caches()


@pytest.fixture(scope="module")
def app(district: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    made = _app(district, tmp_path_factory.mktemp("picker-app"))
    yield made
    made.extensions["casegrid_db"].dispose()


def _picker_data(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<div class="cg-map-picker".*?<script type="application/json">(.*?)</script>', html, re.S)
    assert match, "no map picker on the page"
    return json.loads(match.group(1))


def test_the_report_form_offers_the_district_map_to_pick_the_point(app):
    page = signed_in(app, WORKER).get("/start/social_event")
    html = page.get_data(as_text=True)
    data = _picker_data(html)
    assert page.status_code == 200
    assert data["outlines"]["cellNames"]["S01C01G02"] == "桂园社区第2网格" and len(data["outlines"]["cells"]["features"]) == 30
    assert data["tiles"] is None
    assert "在地图上点击" in html and "data-cg-locate" in html  # the location button stays beside it
    for script in ("vendor/echarts/echarts.min.js", "js/map-tiles.js", "js/case-map.js", "js/map-picker.js"):
        assert f'src="/static/{script}"' in html
    policy = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy and "http" not in policy  # no other host without tiles


def test_the_locate_answer_names_the_cell_a_report_would_get_and_words_a_point_outside(app):
    client = signed_in(app, WORKER)
    inside = client.get("/locate", query_string=INSIDE, headers={"Accept": "application/json"})
    assert inside.status_code == 200 and inside.get_json() == {"cell": "S01C01G02", "name": "桂园社区第2网格",
                                                               "message": None}
    outside = client.get("/locate", query_string=OUTSIDE, headers={"Accept": "application/json"}).get_json()
    assert outside["cell"] is None and outside["message"].startswith("该位置不在本区任何网格内")
    with client.session_transaction() as session:
        session["locale"] = "en"
    english = client.get("/locate", query_string=INSIDE, headers={"Accept": "application/json"}).get_json()
    assert english["name"] == "Guiyuan grid 2"
    assert "outside the district" in client.get("/locate", query_string=OUTSIDE).get_json()["message"]


@pytest.mark.parametrize("query", [{"latitude": "north", "longitude": "114.1"}, {"latitude": "95", "longitude": "114.1"},
                                   {"latitude": "22.5"}, {"latitude": "nan", "longitude": "114.1"}])
def test_a_point_that_is_not_one_is_refused_with_the_field_named(app, query):
    answer = signed_in(app, WORKER).get("/locate", query_string=query, headers={"Accept": "application/json"})
    assert answer.status_code == 422
    details = answer.get_json()["error"]["details"]
    assert set(details) & {"latitude", "longitude"}


def test_locating_needs_a_signed_in_person(app):
    assert app.test_client().get("/locate", query_string=INSIDE).status_code in (302, 401)


def test_the_submitted_point_still_decides_and_a_point_outside_is_refused_beside_the_latitude(app, district):
    client = signed_in(app, WORKER)
    html = client.get("/start/social_event").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    report = {"csrf_token": token.group(1), "title": "选点越界测试", "category": "0104", "grid_cell": "S01C01G01",
              "address": "区外某处", "description": "位置在本区网格之外", "report_channel": "grid_worker", **OUTSIDE}
    refused = client.post("/start/social_event", data=report)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "该位置不在本区任何网格内" in page
    assert _picker_data(page)["outlines"]["cellNames"]  # the form comes back with its picker
    assert 'value="22.6"' in page or 'value="22.60"' in page  # and with the point, to be corrected


def test_the_configured_tile_server_reaches_the_map_and_the_picker_and_their_policy(district, tmp_path):
    app = _app(district, tmp_path, MAP_TILES=TILES)
    client = signed_in(app, WORKER)
    form = client.get("/start/social_event")
    assert _picker_data(form.get_data(as_text=True))["tiles"] == {"url": "https://tiles.example.test/{z}/{x}/{y}.png",
                                                                   "maxZoom": 18}
    assert "底图 © 示例平台" in form.get_data(as_text=True)
    assert "img-src 'self' data: blob: https://tiles.example.test;" in form.headers["Content-Security-Policy"]
    supervisor = signed_in(app, "supervisor1")
    page = supervisor.get("/map")
    data = json.loads(re.search(r'id="cg-map-data">(.*?)</script>', page.get_data(as_text=True), re.S).group(1))
    assert data["tiles"]["url"].startswith("https://tiles.example.test/")
    assert "https://tiles.example.test" in page.headers["Content-Security-Policy"]
    app.extensions["casegrid_db"].dispose()


def test_the_map_page_without_tiles_allows_no_other_host(district, tmp_path):
    app = _app(district, tmp_path)
    page = signed_in(app, "supervisor1").get("/map")
    policy = page.headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy and "https://" not in policy
    assert json.loads(re.search(r'id="cg-map-data">(.*?)</script>', page.get_data(as_text=True), re.S).group(1))[
        "tiles"] is None
    app.extensions["casegrid_db"].dispose()


def test_a_start_form_without_a_point_has_no_picker_and_no_policy_change(app):
    page = signed_in(app, "window1").get("/start/licensing")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cg-map-picker" not in html and "map-picker.js" not in html
    assert "Content-Security-Policy" not in page.headers


def test_a_district_without_outlines_keeps_the_location_button_and_no_picker(sqlite_template, tmp_path):
    database = _district(sqlite_template, tmp_path, drawn=False)
    app = _app(database, tmp_path)
    html = signed_in(app, WORKER).get("/start/social_event").get_data(as_text=True)
    assert "cg-map-picker" not in html and "echarts" not in html
    assert "data-cg-locate" in html and "使用当前位置" in html
    # Outlines stored as JSON null (the organisation reloaded without its geometry file) are no outlines.
    assert 'data-testid="map-no-geometry"' in signed_in(app, "supervisor1").get("/map").get_data(as_text=True)
    app.extensions["casegrid_db"].dispose()
    database.dispose()
    clear_engine_caches()


LOCATED_FORM = json.dumps({
    "key": "patrol_start", "title": {"zh": "巡查登记", "en": "Patrol"},
    "schema": {"type": "object", "properties": {
        "note": {"type": "string"},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90}}},
    "uiSchema": {"ui:order": ["note", "longitude", "latitude"], "note": {"ui:title": {"zh": "备注", "en": "Note"}},
                 "longitude": {"ui:widget": "number", "ui:title": {"zh": "经度", "en": "Longitude"}},
                 "latitude": {"ui:widget": "number", "ui:title": {"zh": "纬度", "en": "Latitude"}}}})


def test_any_form_with_latitude_and_longitude_gets_the_picker_before_them_and_others_do_not():
    picker = MapPicker(data={"outlines": {"cells": {}}, "tiles": None}, locate_url="/locate",
                       scripts=("/static/js/map-picker.js",))
    html = render_form(load_form(LOCATED_FORM, "patrol_start.json"), {}, {}, "en", picker=picker)
    assert 'data-latitude="cg-patrol_start-latitude"' in html and 'data-locate="/locate"' in html
    assert html.index("cg-map-picker") < html.index('name="longitude"')  # before the first of the two fields
    assert "Click (or tap) where the event is" in html and '<script src="/static/js/map-picker.js" defer>' in html
    plain = load_form((Path(__file__).parents[2] / "forms" / "sample_start.json").read_text(), "sample_start.json")
    assert "cg-map-picker" not in render_form(plain, {}, {}, "zh", picker=picker)
