"""Loops of hundreds of passes run to the end with their data, at a cost per step that does not grow."""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine.cases.service import start_case
from engine.commands.tasks import complete
from engine.config import PROJECT_ROOT
from engine.errors import ScriptFailed
from engine.org.access import Actor
from engine.runtime.parsing import parse_process
from engine.runtime.stepping import run_until_wait
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

INSPECTOR = Actor("grid1", None, frozenset({("grid_worker", None)}))
LOOP_XML = (PROJECT_ROOT / "processes" / "sample_loop.bpmn").read_text(encoding="utf-8")


def test_a_user_task_loop_of_1000_passes_ends_with_all_its_data(deployed_db):
    system = Actor("system", roles=frozenset({("admin", None)}))
    with deployed_db.transaction() as session:
        case = start_case(session, "sample_loop", {"target": 1000}, INSPECTOR)
    sizes = []
    for reading in range(1000):
        with deployed_db.transaction() as session:
            item = session.scalars(
                select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == "open")).one()
            complete(session, system, item.id, {"reading": reading})
            if reading in (10, 990):
                sizes.append(len(session.scalars(select(Case.workflow_state).where(Case.id == case.id)).one()))
    with deployed_db.transaction(readonly=True) as session:
        stored = session.get(Case, case.id)
        completions = session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.case_id == case.id, AuditEvent.action == "task_completed"))
    assert stored.status == "completed"
    assert stored.data["passes"] == 1000 and stored.data["total"] == sum(range(1000))
    assert stored.data["last_reading"] == 999
    assert completions == 1000
    # The stored state is bounded by what can still run, not by the history (the audit trail holds that).
    assert sizes[1] <= sizes[0] * 1.05


def _automatic_loop_xml(reading: int) -> str:
    """The sample loop with its user task replaced by a script: nothing in it waits."""
    head, rest = LOOP_XML.split('<bpmn:userTask id="inspect"', 1)
    _task, tail = rest.split("</bpmn:userTask>", 1)
    script_task = (
        '<bpmn:scriptTask id="inspect" name="Inspect automatically">'
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>again</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>"
        f"<bpmn:script>reading = {reading}</bpmn:script></bpmn:scriptTask>"
    )
    return head + script_task + tail


def _automatic_workflow(target: int) -> BpmnWorkflow:
    parsed = parse_process((("loop.bpmn", _automatic_loop_xml(2)),), "sample_loop")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(target=target)
    return workflow


def test_a_loop_without_a_wait_state_fails_loudly_instead_of_spinning():
    workflow = _automatic_workflow(10**9)
    with pytest.raises(ScriptFailed, match="did not reach a wait state"):
        run_until_wait(workflow, max_rounds=2000)


def test_an_automatic_loop_of_5000_passes_completes_with_its_data():
    """SpiffWorkflow alone reports such a loop completed with empty data after ~333 passes."""
    workflow = _automatic_workflow(5000)
    run_until_wait(workflow)
    assert workflow.is_completed()
    assert workflow.data["passes"] == 5000 and workflow.data["total"] == 10000
