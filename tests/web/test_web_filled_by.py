"""来源案件 (ui:filledBy: message) on the emergency start form: no input for people, and a value in a
person's HTML post or API start is refused as a field error that opens no case."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webtools import bearer, csrf_from, login

from engine.store.database import Database
from engine.store.models.cases import Case

ALARM = {"title": "燃气泄漏", "incident_type": "gas_leak", "casualties": "0", "people_affected": "0",
         "location_class": "residential", "location": "桂园路8栋", "grid_cell": "S01C01G02"}


def _incidents(web_db: Database) -> int:
    with web_db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Case).where(Case.process_key == "emergency_linkage"))


def _duty(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "duty").status_code == 302
    return client


def test_the_alarm_start_form_has_no_input_for_the_originating_case(app: Flask) -> None:
    page = _duty(app).get("/start/emergency_linkage").get_data(as_text=True)
    assert 'name="title"' in page
    assert 'name="origin_case"' not in page and "来源案件" not in page


def test_a_posted_originating_case_is_refused_beside_the_field_and_opens_no_case(app: Flask, web_db: Database) -> None:
    client = _duty(app)
    before = _incidents(web_db)
    page = client.get("/start/emergency_linkage").get_data(as_text=True)
    response = client.post("/start/emergency_linkage",
                           data={"csrf_token": csrf_from(page), **ALARM, "origin_case": "不存在的案件"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“来源案件”由联动消息自动填写，不能手工填写" in html and 'name="origin_case"' not in html
    assert _incidents(web_db) == before


def test_the_alarm_form_without_it_still_opens_the_incident(app: Flask, web_db: Database) -> None:
    client = _duty(app)
    before = _incidents(web_db)
    page = client.get("/start/emergency_linkage").get_data(as_text=True)
    response = client.post("/start/emergency_linkage", data={"csrf_token": csrf_from(page), **ALARM})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _incidents(web_db) == before + 1


def test_an_api_start_with_an_originating_case_is_a_422_field_error_and_opens_no_case(app: Flask, web_db: Database):
    before = _incidents(web_db)
    response = app.test_client().post(
        "/api/v1/cases", headers={**bearer(web_db, "duty"), "Accept-Language": "en"},
        json={"process_key": "emergency_linkage", "data": {**ALARM, "origin_case": "LH-2026-000001"}})
    assert response.status_code == 422, response.get_data(as_text=True)
    details = response.get_json()["error"]["details"]
    assert list(details) == ["origin_case"]
    assert "cannot be entered by hand" in details["origin_case"][0] or "不能手工填写" in details["origin_case"][0]
    assert _incidents(web_db) == before
