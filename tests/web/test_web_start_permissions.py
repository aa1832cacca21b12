"""Who may start a social-event case through the API: the start event's `starters` roles."""
from __future__ import annotations

import pytest
from webtools import bearer

from engine.definitions.bundle import Bundle
from engine.definitions.validation import validate_bundle
from engine.org.config import OrgConfig

REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}


@pytest.fixture
def api(app):
    return app.test_client()


def test_a_hotline_operator_starts_a_social_event_case_through_the_api(api, web_db):
    response = api.post("/api/v1/cases", json={"process_key": "social_event", "data": REPORT},
                        headers=bearer(web_db, "hotline1"))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["process_key"] == "social_event" and body["status"] == "running"
    assert [(t["task"], t["sla_state"]) for t in body["tasks"]] == [("register", "on_time")]


def test_a_department_handler_may_not_start_one_and_nothing_is_created(api, web_db):
    before = api.get("/api/v1/cases?process_key=social_event", headers=bearer(web_db, "sup")).get_json()["total"]
    response = api.post("/api/v1/cases", json={"process_key": "social_event", "data": REPORT},
                        headers=bearer(web_db, "h_cg"))
    assert response.status_code == 403, response.get_data(as_text=True)
    assert "grid_worker, hotline" in response.get_json()["error"]["message"]
    after = api.get("/api/v1/cases?process_key=social_event", headers=bearer(web_db, "sup")).get_json()["total"]
    assert after == before


def test_starters_naming_a_role_the_organisation_lacks_is_refused_at_deploy():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="starters" value="hotline, nobody" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""
    org = OrgConfig(roles={"hotline": ("热线坐席", "Hotline operator")})
    problems, _ = validate_bundle(Bundle({"processes/p.bpmn": xml}), known_org=org)
    assert [(p.element, p.message) for p in problems] == [
        ("start", "property starters names 'nobody', which is not a role of the organisation")]
