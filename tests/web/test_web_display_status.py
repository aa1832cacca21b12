"""The case list, the case page, the inbox and the API say what a case waits for (issue 13, point 6)."""
from __future__ import annotations

import re

from flask import Flask
from webtools import bearer, page_csrf, signed_in

from engine.cases.service import start_case
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case
from tests.families.test_crossing_families import FLOODING, emergency_of
from tests.social_event.helpers import act, case_row, only_item, start

REPORT = {"title": "人行道井盖缺失", "category": "0102", "grid_cell": "S01C01G01", "address": "东门中路 1 号",
          "description": "井盖缺失，有行人跌落风险", "report_channel": "grid_worker"}


def _reported(web_db: Database) -> Case:
    with web_db.transaction() as session:
        case = start_case(session, "social_event", dict(REPORT), actor_for(session, "gw1"))
        session.expunge(case)
        return case


def test_a_grid_workers_report_is_flashed_as_received_not_as_registered(app: Flask, web_db: Database) -> None:
    client = signed_in(app, "gw1")
    token = page_csrf(client, "/start/social_event")
    answer = client.post("/start/social_event", data={**REPORT, "csrf_token": token}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200, text
    assert "待指挥中心立案" in text and "已立案" not in text
    assert 'data-display-status="awaiting_registration"' in text and "待立案" in text


def test_the_case_list_the_case_page_and_the_api_show_awaiting_registration(app: Flask, web_db: Database) -> None:
    case = _reported(web_db)
    client = signed_in(app, "gw1")
    listed = client.get("/cases").get_data(as_text=True)
    assert 'data-display-status="awaiting_registration">待立案<' in listed
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-display-status="awaiting_registration">待立案<' in page
    detail = app.test_client().get(f"/api/v1/cases/{case.id}", headers=bearer(web_db, "gw1")).get_json()
    assert (detail["status"], detail["display_status"]) == ("running", "awaiting_registration")
    rows = app.test_client().get("/api/v1/cases", headers=bearer(web_db, "gw1")).get_json()["items"]
    assert {row["display_status"] for row in rows if row["id"] == case.id} == {"awaiting_registration"}


def test_the_inbox_shows_the_status_of_each_tasks_case(app: Flask, web_db: Database) -> None:
    case = _reported(web_db)
    text = signed_in(app, "sup").get("/?view=all").get_data(as_text=True)
    assert case.business_key in text and 'data-display-status="awaiting_registration"' in text


def _current_step_cell(listed: str, key: str) -> str:
    """The 当前环节 column (the fourth) of the case list's row of case `key`."""
    row = listed[listed.index(f">{key}</a>"):]
    row = row[:row.index("</tr>")]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2]  # the row starts inside its first cell


def test_the_case_list_names_the_current_step_of_a_case_with_no_open_step_as_its_page_does(app, web_db):
    cancelled = start(web_db)
    act(web_db, only_item(web_db, cancelled, "register").id, "dispatcher1",
        {"register_decision": "cancel", "cancel_reason": "duplicate", "cancel_note": "重复上报"})
    waiting = start(web_db, **FLOODING)  # registered, it raises an emergency case and waits for it
    act(web_db, only_item(web_db, waiting, "register").id, "dispatcher1", {"register_decision": "register"})
    emergency_of(web_db, waiting)
    client = signed_in(app, "sup")
    listed = client.get("/cases").get_data(as_text=True)
    for case_id, words in ((cancelled, "已撤销"), (waiting, "等待应急联动")):
        assert _current_step_cell(listed, case_row(web_db, case_id).business_key) == words
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert f"当前环节: <strong>{words}</strong>" in page


def test_the_current_step_names_each_open_step_once_in_chinese_enumeration(app, web_db):
    # A flooding report raises an emergency case: its water and street office agencies each confirm the alarm
    # (two open 接警确认 steps) while the duty officer writes the first report: 当前环节 names the step once.
    social = start(web_db, **FLOODING)
    act(web_db, only_item(web_db, social, "register").id, "dispatcher1", {"register_decision": "register"})
    emergency = emergency_of(web_db, social)
    assert set(emergency.data["agencies"]) == {"water", "street_office"}
    words = "书面报告（初报）、接警确认"
    assert emergency.current_step == words
    client = signed_in(app, "sup")
    listed = client.get("/cases").get_data(as_text=True)
    assert _current_step_cell(listed, emergency.business_key) == words
    assert f"当前环节: <strong>{words}</strong>" in client.get(f"/cases/{emergency.id}").get_data(as_text=True)
