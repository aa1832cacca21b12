"""Deploying creates versions; identical content is a no-op; running cases keep the version they started on."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands.tasks import complete
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy, get_version
from engine.errors import DefinitionInvalid
from engine.store.models.definitions import Deployment, ProcessVersion
from engine.store.models.tasks import WorkItem

from .helpers import DISPATCHER, HANDLER_CG, count, deploy_two_step, two_step_bundle

PROCESS = "processes/two_step.bpmn"


def _with_extra_task(bundle: Bundle) -> Bundle:
    """Version 2 asks for a second review after approval."""
    xml = bundle.files[PROCESS]
    xml = xml.replace(
        '<bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formKey" value="tt_approve" /></spiffworkflow:properties>'
        '</bpmn:extensionElements><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>'
        '<bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end" />',
    ).replace('<bpmn:flowNodeRef>end</bpmn:flowNodeRef>',
              '<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>'
    ).replace('sourceRef="approve" targetRef="end"', 'sourceRef="approve" targetRef="review"')
    return Bundle({PROCESS: xml})


def _drive(db, case_id, data_by_task):
    while True:
        with db.transaction(readonly=True) as session:
            item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).first()
        if item is None:
            return
        actor = HANDLER_CG if item.role == "handler" else DISPATCHER
        with db.transaction() as session:
            complete(session, actor, item.id, data_by_task[item.task_spec])


def test_deploying_identical_content_is_a_no_op(db):
    deploy_two_step(db)
    versions, deployments = count(db, ProcessVersion), count(db, Deployment)
    with db.transaction() as session:
        result = deploy(session, two_step_bundle(), actor="test")
    assert result.unchanged and result.new_versions == []
    assert (count(db, ProcessVersion), count(db, Deployment)) == (versions, deployments)


def test_changing_a_form_gives_the_process_using_it_a_new_version_and_leaves_others(db):
    deploy_two_step(db)
    bundle = two_step_bundle()
    form = bundle.files["forms/tt_approve.json"].replace('"同意"', '"批准"')
    with db.transaction() as session:
        result = deploy(session, Bundle({"forms/tt_approve.json": form}), actor="test")
    assert [(v.process_key, v.version) for v in result.new_versions] == [("two_step", 2)]


def test_old_cases_finish_on_the_old_version_while_new_cases_run_the_new_one(db):
    deploy_two_step(db)
    with db.transaction() as session:
        old_case = start_case(session, "two_step", {}, DISPATCHER)
    with db.transaction() as session:
        deploy(session, _with_extra_task(two_step_bundle()), actor="analyst")
        assert get_version(session, "two_step").version == 2
    with db.transaction() as session:
        new_case = start_case(session, "two_step", {}, DISPATCHER)
    data = {"fill": {"amount": 1, "responsible_department": "chengguan"}, "approve": {"approved": True},
            "review": {"approved": True}}
    _drive(db, old_case.id, data)
    _drive(db, new_case.id, data)
    with db.transaction(readonly=True) as session:
        tasks_of = {
            case_id: [i.task_spec for i in session.scalars(
                select(WorkItem).where(WorkItem.case_id == case_id).order_by(WorkItem.created_at))]
            for case_id in (old_case.id, new_case.id)
        }
        versions = {case_id: session.get(ProcessVersion, session.get(type(old_case), case_id).process_version_id).version
                    for case_id in (old_case.id, new_case.id)}
    assert tasks_of[old_case.id] == ["fill", "approve"] and versions[old_case.id] == 1
    assert tasks_of[new_case.id] == ["fill", "approve", "review"] and versions[new_case.id] == 2


def test_an_invalid_deploy_stores_nothing(db):
    deploy_two_step(db)
    broken = Bundle({PROCESS: two_step_bundle().files[PROCESS].replace('value="tt_fill"', 'value="missing"')})
    before = (count(db, ProcessVersion), count(db, Deployment))
    with pytest.raises(DefinitionInvalid) as refused, db.transaction() as session:
        deploy(session, broken, actor="analyst")
    assert any(p.element == "fill" and "missing" in p.message for p in refused.value.problems)
    assert (count(db, ProcessVersion), count(db, Deployment)) == before
