"""POST /api/v1/cases/<id>/messages delivers BPMN messages; POST /api/v1/events runs the event rule sets."""
from __future__ import annotations

from sqlalchemy import select
from webtools import bearer

from engine.cases.service import start_case
from engine.org.access import Actor
from engine.store.models.cases import Case

DUTY = Actor("duty1", "zhihui", frozenset({("duty_officer", None)}))


def incident(web_db) -> int:
    with web_db.transaction() as session:
        return start_case(session, "emergency_linkage", {
            "title": "燃气泄漏", "incident_type": "gas_leak", "casualties": 0, "people_affected": 5,
            "location_class": "residential", "location": "桂园路1号", "grid_cell": "S01C01G01"}, DUTY).id


def test_a_message_to_a_running_case_advances_it_and_bad_or_unawaited_messages_change_nothing(app, web_db):
    api, headers = app.test_client(), bearer(web_db, "adm")
    case_id = incident(web_db)
    url = f"/api/v1/cases/{case_id}/messages"
    done = api.post(url, json={"message_name": "agency_acknowledged", "payload": {"agency": "gas"}}, headers=headers)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json()["data"]["agencies"]["gas"]["status"] == "acknowledged"
    version = done.get_json()["version"]
    nobody = api.post(url, json={"message_name": "agency_departed", "payload": {}}, headers=headers)
    assert nobody.status_code == 409 and nobody.get_json()["error"]["code"] == "no_waiting_case"
    refused = api.post(url, json={"message_name": "incident_grade_change", "payload": {"grade": 9}}, headers=headers)
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["details"]
    missing = api.post(url, json={"payload": {}}, headers=headers)
    assert missing.status_code == 422
    assert api.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["version"] == version
    assert api.post("/api/v1/cases/999999/messages", json={"message_name": "x"}, headers=headers).status_code == 404


def test_three_high_water_readings_posted_as_events_start_an_emergency_case(app, web_db):
    # The demo organisation's service account for the gauges: the water-level rule set grants it.
    api, headers = app.test_client(), bearer(web_db, "gauge_gateway")
    reading = {"type": "sensor.reading", "source": "gauge-gateway",
               "payload": {"sensor_id": "WL-9", "kind": "water_level", "value": 0.8, "location": "人民南路隧道",
                           "grid_cell": "S05C02G01"}}
    answers = [api.post("/api/v1/events", json=reading, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [len(a.get_json()["actions"]) for a in answers] == [0, 0, 1]
    started = answers[2].get_json()["actions"][0]
    assert started["operation"] == "start_case" and started["ruleset"] == "water_level"
    with web_db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.business_key == started["case_key"])).one()
        assert case.process_key == "emergency_linkage" and case.data["incident_type"] == "flooding"
