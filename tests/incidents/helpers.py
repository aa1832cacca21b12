"""A process that naps on a timer and then runs one step: the step is what the incident tests break."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands.migrations import migrate_case
from engine.commands.timers import fire_due
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.org.access import system_actor
from engine.org.service import actor_for, load_organisation
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion
from engine.store.models.incidents import Incident
from engine.store.models.org import User, UserRole
from tests.core.helpers import shipped_roles

SCRIPT_STEP = '<bpmn:scriptTask id="count" name="计数"><bpmn:incoming>f2</bpmn:incoming>' \
              '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
THROW_STEP = '<bpmn:intermediateThrowEvent id="count" name="通知无人"><bpmn:incoming>f2</bpmn:incoming>' \
             '<bpmn:outgoing>f3</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_nobody" />' \
             '</bpmn:intermediateThrowEvent>'


def nap_bpmn(step: str, f3_condition: str | None = None) -> str:
    """start → timer until `wake_at` → `step` → a user task 复核 (so the case then waits on someone)."""
    f3 = ('<bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="review" />' if f3_condition is None else
          f'<bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="review"><bpmn:conditionExpression>'
          f'{f3_condition}</bpmn:conditionExpression></bpmn:sequenceFlow>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="nap_definitions" targetNamespace="http://casegrid.example/bpmn">
  <bpmn:message id="m_nobody" name="nobody_listens" />
  <bpmn:process id="nap" name="小憩（测试）" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="sleep" name="等到 wake_at">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>wake_at</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    {step}
    <bpmn:userTask id="review" name="复核">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="nap_review" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sleep" />
    <bpmn:sequenceFlow id="f2" sourceRef="sleep" targetRef="count" />
    {f3}
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


RAISING = nap_bpmn(SCRIPT_STEP.format(script="wakes = wakes + 1"))  # `wakes` was never given: NameError
FIXED = nap_bpmn(SCRIPT_STEP.format(script="wakes = 1"))
THROWING = nap_bpmn(THROW_STEP)
# A gateway whose only flow's condition is false for every case: no flow to take.
NO_WAY_ON = nap_bpmn('<bpmn:exclusiveGateway id="count" name="分流"><bpmn:incoming>f2</bpmn:incoming>'
                     '<bpmn:outgoing>f3</bpmn:outgoing></bpmn:exclusiveGateway>', f3_condition="wake_at == 'never'")

REVIEW_FORM = """{"key": "nap_review", "title": {"zh": "复核", "en": "Review"},
 "schema": {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}},
 "uiSchema": {"ok": {"ui:title": {"zh": "确认", "en": "OK"}, "ui:widget": "checkbox"}}}"""

USERS = {"admin1": ("admin", None), "analyst1": ("analyst", None), "sup1": ("supervisor", None),
         "clerk1": ("handler", "chengguan")}


def user_steps_bpmn(process_id: str, first: str, second: str) -> str:
    """start → `first` → `second` → end, each a script task or the user task 复核 (`REVIEW`)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="{process_id}_definitions" targetNamespace="http://casegrid.example/bpmn">
  <bpmn:process id="{process_id}" name="{process_id}（测试）" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {first.format(incoming="f1", outgoing="f2")}
    {second.format(incoming="f2", outgoing="f3")}
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{_id(first)}" />
    <bpmn:sequenceFlow id="f2" sourceRef="{_id(first)}" targetRef="{_id(second)}" />
    <bpmn:sequenceFlow id="f3" sourceRef="{_id(second)}" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _id(step: str) -> str:
    return step.split('id="', 1)[1].split('"', 1)[0]


REVIEW = ('<bpmn:userTask id="review" name="复核"><bpmn:extensionElements><spiffworkflow:properties>'
          '<spiffworkflow:property name="formKey" value="nap_review" /></spiffworkflow:properties>'
          '</bpmn:extensionElements><bpmn:incoming>{incoming}</bpmn:incoming>'
          '<bpmn:outgoing>{outgoing}</bpmn:outgoing></bpmn:userTask>')
TALLY = ('<bpmn:scriptTask id="tally" name="打分"><bpmn:incoming>{incoming}</bpmn:incoming>'
         '<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:script>score = missing * 2</bpmn:script></bpmn:scriptTask>')
# The user's completion of 复核 runs 打分, which raises; a start that runs 打分 first fails at once.
FAILS_ON_COMPLETE = user_steps_bpmn("tally_after", REVIEW, TALLY)
FAILS_ON_START = user_steps_bpmn("tally_first", TALLY, REVIEW)


def deploy_nap(db: Database, bpmn: str) -> int:
    """Deploy `bpmn` (with the form of 复核) over what is deployed; the newest version's id."""
    with db.transaction() as session:
        load_organisation(session, shipped_roles())  # what admins, analysts and supervisors may do
        for name, (role, department) in USERS.items():
            if not session.scalars(select(User).where(User.username == name)).first():
                session.add(User(username=name, display_name=name, department=department,
                                 roles=[UserRole(role=role, scope=None)]))
        name = bpmn.split('bpmn:process id="', 1)[1].split('"', 1)[0]
        deploy(session, Bundle({f"processes/{name}.bpmn": bpmn, "forms/nap_review.json": REVIEW_FORM}),
               actor="test")
        return session.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id.desc())).first()


def start_nap(db: Database, data: dict | None = None, wake_in: timedelta = timedelta(hours=1)) -> int:
    wake_at = datetime.now(UTC) + wake_in
    with db.transaction() as session:
        case = start_case(session, "nap", {"wake_at": wake_at.isoformat(), **(data or {})}, system_actor())
        return case.id


def fire_later(db: Database, worker: str = "w1") -> int:
    """Fire what is due two hours from now (the nap is over), as the worker would then."""
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2), tick=True):
        return fire_due(db, worker)


def case_row(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        return session.get(Case, case_id)


def incidents_of(db: Database, case_id: int) -> list[Incident]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(Incident).where(Incident.case_id == case_id).order_by(Incident.id)))


def migrate_to(db: Database, case_id: int, version_id: int, username: str = "analyst1") -> None:
    """Move the case to the deployed version `version_id` with the migrate command, as an analyst would."""
    with db.transaction() as session:
        case = session.get(Case, case_id)
        source = session.get(ProcessVersion, case.process_version_id)
        target = session.get(ProcessVersion, version_id)
        migrate_case(session, actor_for(session, username), case.process_key, case_id, source.version,
                     target.version)
