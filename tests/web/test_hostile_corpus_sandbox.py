"""Hostile scripts (sandbox_payloads.yaml) in an uploaded diagram: refused at deploy with one problem line
naming the task, or at a case's start with a 422 and its exact code; either way nothing changes."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import yaml
from sqlalchemy import func, select
from webtools import bearer, fixture_bundle

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.service import deploy
from engine.definitions.validation import validate_bundle
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case, KeySequence
from engine.store.models.definitions import ProcessVersion
from engine.store.models.tasks import WorkItem

CORPUS = yaml.safe_load((Path(__file__).parents[1] / "hostile_corpus" / "sandbox_payloads.yaml").read_text(encoding="utf-8"))
AT_DEPLOY: dict[str, dict[str, str]] = CORPUS["refused_at_deploy"]
AT_START: dict[str, dict[str, str]] = CORPUS["refused_at_start"]
DATA = {"title": "hostile", "responsible_department": "chengguan", "amount": 10**12}

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="{pid}_definitions" targetNamespace="http://casegrid.example/bpmn">
  <bpmn:process id="{pid}" name="Hostile {pid}" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_grid" name="grid_worker">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>payload</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_handler" name="handler"><bpmn:flowNodeRef>handle</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="payload" name="Payload">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="handle" name="Handle">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="web_handle" />
        <spiffworkflow:property name="department" value="responsible_department" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="payload" />
    <bpmn:sequenceFlow id="f2" sourceRef="payload" targetRef="handle" />
    <bpmn:sequenceFlow id="f3" sourceRef="handle" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def diagram(name: str, script: str) -> tuple[str, str]:
    pid = f"hostile_{name}"
    return f"processes/{pid}.bpmn", TEMPLATE.format(pid=pid, script=escape(script))


def snapshot(db: Database) -> dict[str, int]:
    with db.transaction(readonly=True) as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                  for model in (Case, WorkItem, ProcessVersion)}
        # A failed start is recorded for operators (a user_action incident and its audit row); nothing else.
        counts["audit_events"] = session.scalar(select(func.count()).select_from(AuditEvent)
                                                .where(AuditEvent.action.not_like("incident_%")))
        counts["next_case_numbers"] = session.scalar(select(func.coalesce(func.sum(KeySequence.last_value), 0)))
        return counts


def test_scripts_that_reach_outside_the_sandbox_are_one_problem_line_each_at_deploy():
    files = dict(diagram(name, case["script"]) for name, case in AT_DEPLOY.items())
    bundle = load_root(PROJECT_ROOT).overlay(fixture_bundle()).overlay(Bundle(files))
    problems, _ = validate_bundle(bundle)
    for name, case in AT_DEPLOY.items():
        path, _xml = diagram(name, case["script"])
        lines = [p for p in problems if p.file == path]
        assert [(p.element, case["says"] in p.message) for p in lines] == [("payload", True)], (name, lines)
    assert {p.file for p in problems} == set(files)


def test_a_refused_diagram_deploys_nothing(web_db):
    before = snapshot(web_db)
    path, xml = diagram("import_statement", AT_DEPLOY["import_statement"]["script"])
    with pytest.raises(Exception) as refused, web_db.transaction() as session:
        deploy(session, Bundle({path: xml}), actor="test")
    assert getattr(refused.value, "code", None) == "definition_invalid"
    assert snapshot(web_db) == before


@pytest.fixture
def hostile_processes(web_db: Database) -> Database:
    with web_db.transaction() as session:
        deploy(session, Bundle(dict(diagram(n, c["script"]) for n, c in AT_START.items())), actor="test")
    return web_db


def test_scripts_that_fail_or_run_away_at_start_are_a_422_with_their_code_and_change_nothing(app, hostile_processes):
    api, headers = app.test_client(), bearer(hostile_processes, "gw1")
    before = snapshot(hostile_processes)
    answers: dict[str, Any] = {}
    for name in AT_START:
        response = api.post("/api/v1/cases", json={"process_key": f"hostile_{name}", "data": DATA}, headers=headers)
        answers[name] = (response.status_code, (response.get_json() or {}).get("error", {}).get("code"))
    assert answers == {name: (422, case["code"]) for name, case in AT_START.items()}
    assert snapshot(hostile_processes) == before
