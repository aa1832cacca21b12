"""One walk of the task tree (engine.runtime.walking) finds the same ready user tasks and the same live
tasks, in the same order, as SpiffWorkflow's own `get_tasks` queries it replaces: checked at every step
of every shipped scenario, which run the shipped processes through parallel branches, subprocesses,
boundary timers, messages, multi-instance tasks and loops."""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.cases import service
from engine.config import PROJECT_ROOT
from engine.runtime.parsing import parse_process
from engine.runtime.walking import LIVE, live_tasks
from engine.sandbox import SandboxedScriptEngine

from .helpers import run_every_shipped_scenario


def test_the_walk_finds_what_spiffworkflow_finds_at_every_step_of_every_shipped_scenario(monkeypatch):
    real = service.live_tasks
    checked = {"steps": 0, "live": 0, "subprocess_steps": 0}

    def checking(workflow):  # type: ignore[no-untyped-def]
        found = real(workflow)
        expected_ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
        expected_live = workflow.get_tasks(state=LIVE)
        assert [t.id for t in found.ready_user] == [t.id for t in expected_ready]
        assert [t.id for t in found.live] == [t.id for t in expected_live]
        checked["steps"] += 1
        checked["live"] += len(found.live)
        checked["subprocess_steps"] += bool(workflow.subprocesses)
        return found

    monkeypatch.setattr(service, "live_tasks", checking)
    run_every_shipped_scenario()
    assert checked["steps"] > 100 and checked["live"] > checked["steps"], checked
    assert checked["subprocess_steps"] > 0, "some shipped scenario runs a subprocess"


def test_a_finished_workflow_has_no_live_tasks():
    xml = (PROJECT_ROOT / "bench" / "definitions" / "processes" / "bench_three_steps.bpmn").read_text(encoding="utf-8")
    parsed = parse_process((("bench_three_steps.bpmn", xml),), "bench_three_steps")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=SandboxedScriptEngine())
    workflow.do_engine_steps()
    while not workflow.is_completed():
        assert len(live_tasks(workflow).ready_user) == 1
        live_tasks(workflow).ready_user[0].run()
        workflow.do_engine_steps()
    assert live_tasks(workflow).live == [] and live_tasks(workflow).ready_user == []
