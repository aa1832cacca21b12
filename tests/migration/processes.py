"""Versions of one co-handling process, as an analyst would change it between deployments.

start → split → (主办处理 lead | 协办 assist, one instance per unit) → join → the tail steps → end.
The tail is a list of (element id, name) user tasks; versions differ in their tail only.
"""
from __future__ import annotations

from sqlalchemy import select

from engine.cases.service import start_case
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.org.access import system_actor
from engine.org.service import load_organisation
from engine.store.database import Database
from engine.store.models.definitions import ProcessVersion
from engine.store.models.org import User, UserRole
from tests.core.helpers import shipped_roles

VERIFY = ("verify", "核查")
PRECHECK = ("precheck", "预审")
RENAMED_VERIFY = ("verify_site", "现场核查")
CLOSE = ("close", "结案")
REPORT_FORM = """{"key": "co_report", "title": {"zh": "办理", "en": "Report"},
 "schema": {"type": "object", "properties": {"report": {"type": "string", "maxLength": 200}}},
 "uiSchema": {"report": {"ui:title": {"zh": "情况说明", "en": "Report"}}}}"""
USERS = {"admin1": ("admin", None), "analyst1": ("analyst", None), "clerk1": ("handler", "chengguan")}


def _user_task(element: str, name: str, incoming: str, outgoing: str, loop: str = "") -> str:
    return (f'<bpmn:userTask id="{element}" name="{name}"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formKey" value="co_report" /></spiffworkflow:properties>'
            f'</bpmn:extensionElements><bpmn:incoming>{incoming}</bpmn:incoming>'
            f"<bpmn:outgoing>{outgoing}</bpmn:outgoing>{loop}</bpmn:userTask>")


def co_handling(tail: list[tuple[str, str]], assist_items: str = "units") -> str:
    loop = ('<bpmn:multiInstanceLoopCharacteristics>'
            f"<bpmn:loopDataInputRef>{assist_items}</bpmn:loopDataInputRef>"
            "<bpmn:loopDataOutputRef>reports</bpmn:loopDataOutputRef>"
            '<bpmn:inputDataItem id="unit" name="unit" /><bpmn:outputDataItem id="report" name="report" />'
            "</bpmn:multiInstanceLoopCharacteristics>")
    steps, flows, previous = [], [], "join"
    for index, (element, name) in enumerate(tail):
        steps.append(_user_task(element, name, f"t{index}", f"t{index + 1}"))
        flows.append(f'<bpmn:sequenceFlow id="t{index}" sourceRef="{previous}" targetRef="{element}" />')
        previous = element
    flows.append(f'<bpmn:sequenceFlow id="t{len(tail)}" sourceRef="{previous}" targetRef="end" />')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="co_defs"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    targetNamespace="http://casegrid.example/bpmn">
  <bpmn:process id="co_handling" name="协同处置（测试）" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f_lead</bpmn:outgoing><bpmn:outgoing>f_assist</bpmn:outgoing></bpmn:parallelGateway>
    {_user_task("lead", "主办处理", "f_lead", "f_lead_done")}
    {_user_task("assist", "协办", "f_assist", "f_assist_done", loop)}
    <bpmn:parallelGateway id="join"><bpmn:incoming>f_lead_done</bpmn:incoming>
      <bpmn:incoming>f_assist_done</bpmn:incoming><bpmn:outgoing>t0</bpmn:outgoing></bpmn:parallelGateway>
    {"".join(steps)}
    <bpmn:endEvent id="end"><bpmn:incoming>t{len(tail)}</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f_lead" sourceRef="split" targetRef="lead" />
    <bpmn:sequenceFlow id="f_assist" sourceRef="split" targetRef="assist" />
    <bpmn:sequenceFlow id="f_lead_done" sourceRef="lead" targetRef="join" />
    <bpmn:sequenceFlow id="f_assist_done" sourceRef="assist" targetRef="join" />
    {"".join(flows)}
  </bpmn:process>
</bpmn:definitions>
"""


def deploy_version(db: Database, bpmn: str) -> int:
    """Deploy `bpmn` over what is deployed (adding the test users once); the new version's number."""
    with db.transaction() as session:
        load_organisation(session, shipped_roles())  # what admins and analysts may do
        for name, (role, department) in USERS.items():
            if not session.scalars(select(User).where(User.username == name)).first():
                session.add(User(username=name, display_name=name, department=department,
                                 roles=[UserRole(role=role, scope=None)]))
        deploy(session, Bundle({"processes/co_handling.bpmn": bpmn, "forms/co_report.json": REPORT_FORM}), actor="test")
        return session.scalars(select(ProcessVersion.version).where(ProcessVersion.process_key == "co_handling")
                               .order_by(ProcessVersion.version.desc())).first()


def start_co_handling(db: Database, units: tuple[str, ...] = ("huanwei", "shizheng"), version: int = 1) -> int:
    """A case on `version` (the first unless said otherwise)."""
    with db.transaction() as session:
        return start_case(session, "co_handling", {"units": list(units)}, system_actor(), version=version).id
