"""The case map and the operations screen are features a role opens (`see_map`, `operations_screen`): the
dispatchers and supervisors get them in the menu, a grid worker is refused with a worded 403; the screen's
figures are polled with an ETag and answer 304 while nothing changed."""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from webtools import PASSWORD, signed_in

from engine.cases.service import start_case
from engine.org.config import OrgConfig, UserSpec
from engine.org.service import actor_for, load_organisation
from engine.store.database import Database
from tests.conftest import clear_engine_caches, deploy_bundled
from web import create_app

REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}


USERS = [UserSpec("disp", "调度甲", "zhihui", PASSWORD, "zh", (("dispatcher", None),)),
         UserSpec("sup", "督办甲", None, PASSWORD, "zh", (("supervisor", None),)),
         UserSpec("gw1", "网格员甲", "S01", PASSWORD, "zh", (("grid_worker", "S01C01G01"),))]


@pytest.fixture(scope="module")
def district(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One demo district for the module (these tests read; one adds a case and counts from before it)."""
    path = tmp_path_factory.mktemp("map-web") / "map.sqlite3"
    shutil.copy(sqlite_template, path)
    clear_engine_caches()
    database = Database(f"sqlite:///{path}")
    deploy_bundled(database, demo_users=True)
    with database.transaction() as session:
        load_organisation(session, OrgConfig(users=USERS))
        start_case(session, "social_event", REPORT, actor_for(session, "hotline1"))
    yield database
    database.dispose()
    clear_engine_caches()


@pytest.fixture(scope="module")
def app(district: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": district.url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))})
    yield app
    app.extensions["casegrid_db"].dispose()


def map_data(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<script type="application/json" id="cg-map-data">(.*?)</script>', html, re.S)
    assert match, "no map data on the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/map", "/screen", "/screen/data.json"])
def test_a_grid_worker_is_refused_the_map_and_the_screen_with_the_reason(app, district, path):
    response = signed_in(app, "gw1").get(path)
    assert response.status_code == 403
    if not path.endswith(".json"):
        assert "您的岗位不能" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", ["sup", "disp"])
def test_supervisors_and_dispatchers_find_the_map_and_the_screen_in_the_menu_and_open_them(app, district, user):
    client = signed_in(app, user)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/map"' in home and 'href="/screen"' in home
    page = client.get("/map")
    html = page.get_data(as_text=True)
    data = map_data(html)
    assert page.status_code == 200 and "案件地图" in html
    [point] = [p for p in data["map"]["points"] if p["title"] == "湖贝路口暴露垃圾"]
    assert point["cell"] == "湖贝社区第1网格" and point["url"].startswith("/cases/")  # names, never codes
    assert "东门街道" in [label["name"] for label in data["outlines"]["streetLabels"]]
    assert "城市管理和综合执法局" in html  # the department filter names departments
    screen = client.get("/screen")
    assert screen.status_code == 200 and "城区运行管理中心" in screen.get_data(as_text=True)


def test_the_grid_worker_menu_offers_neither(app, district):
    home = signed_in(app, "gw1").get("/").get_data(as_text=True)
    assert 'href="/map"' not in home and 'href="/screen"' not in home


def test_a_filter_that_does_not_parse_is_named_and_the_map_still_shows(app, district):
    page = signed_in(app, "sup").get("/map?since=yesterday&family=%3Cscript%3E")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "有筛选条件无法识别，已忽略。" in html and "<script>" not in html.split("cg-map-data")[0]


@pytest.mark.parametrize("query", ["since=0001-01-01", "until=9999-12-31", "since=1899-12-31&until=9999-12-31"])
def test_a_date_at_the_ends_of_the_calendar_is_a_filter_left_out_not_a_server_error(app, district, query):
    page = signed_in(app, "sup").get(f"/map?{query}")
    assert page.status_code == 200 and "有筛选条件无法识别，已忽略。" in page.get_data(as_text=True)
    assert "湖贝路口暴露垃圾" in {p["title"] for p in map_data(page.get_data(as_text=True))["map"]["points"]}


def test_a_reversed_period_is_left_out_whole_not_read_as_its_start_alone(app, district):
    page = signed_in(app, "sup").get("/map?since=2099-12-31&until=2000-01-01").get_data(as_text=True)
    assert "有筛选条件无法识别，已忽略。" in page
    assert "湖贝路口暴露垃圾" in {p["title"] for p in map_data(page)["map"]["points"]}


def test_the_map_filters_by_department_and_date(app, district):
    client = signed_in(app, "sup")

    def titles(query: str) -> set[str]:
        return {p["title"] for p in map_data(client.get(f"/map?{query}").get_data(as_text=True))["map"]["points"]}

    assert "湖贝路口暴露垃圾" in titles("family=social_event&category=01")
    assert "湖贝路口暴露垃圾" not in titles("department=shuiwu")
    assert "湖贝路口暴露垃圾" not in titles("since=2020-01-01&until=2020-01-02")


def test_the_screen_data_is_answered_304_while_nothing_changed_and_anew_after_a_case_is_reported(app, district):
    client = signed_in(app, "sup")
    first = client.get("/screen/data.json")
    assert first.status_code == 200 and first.headers["ETag"]
    body = first.get_json()
    today = body["screen"]["headline"]["today"]
    assert today >= 1 and {"name": "12345热线", "value": today} in body["screen"]["bySource"]
    etag = first.headers["ETag"]
    assert client.get("/screen/data.json", headers={"If-None-Match": etag}).status_code == 304
    with district.transaction() as session:
        start_case(session, "social_event", {**REPORT, "title": "湖贝路第二次上报"}, actor_for(session, "hotline1"))
    again = client.get("/screen/data.json", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["screen"]["headline"]["today"] == today + 1


def test_the_screen_speaks_english_when_asked(app, district):
    client = signed_in(app, "sup")
    with client.session_transaction() as session:
        session["locale"] = "en"
    html = client.get("/screen").get_data(as_text=True)
    assert "District operations centre" in html and "12345 hotline" in html


@pytest.mark.parametrize("query", ["department=nowhere", "family=no_such_family"])
def test_a_filter_naming_nothing_the_map_offers_is_left_out_and_said_not_an_empty_map_under_all(app, district, query):
    """The select cannot show a value it does not offer: it read 全部 while the map showed nothing."""
    page = signed_in(app, "sup").get(f"/map?{query}").get_data(as_text=True)
    assert "有筛选条件无法识别，已忽略。" in page
    assert "湖贝路口暴露垃圾" in {p["title"] for p in map_data(page)["map"]["points"]}
