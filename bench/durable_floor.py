"""The least any engine that stores a case's state at every step can do, as a second baseline.

SpiffWorkflow runs the case; after each step its state is serialised (with casegrid's spec-free
serializer) and written with one UPDATE and one commit through plain sqlite3 in WAL mode, the way
casegrid configures SQLite. No forms, work items, timers, audit or access checks: whatever casegrid
costs beyond this is its own layers; whatever this costs beyond raw SpiffWorkflow is persistence itself.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from bench.measure import cpu_timed
from engine.runtime.parsing import ParsedProcess
from engine.runtime.serialization import dump_workflow, load_workflow


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, version INTEGER, state TEXT)")
    return connection


def durable_spiff(
    path: Path, parsed: ParsedProcess, script_engine: Any, step_data: dict[str, Any], cases: int, keep_workflow: bool
) -> Callable[[], float]:
    """A run of `cases` cases, each step one transaction: read the row, advance, write the row, commit.

    With `keep_workflow` the step reuses the workflow object of the previous step instead of
    deserialising the state it has just read (what casegrid's kept workflows do).
    """
    connection = _connect(path)

    def step(case_id: int, workflow: BpmnWorkflow) -> BpmnWorkflow | None:
        connection.execute("BEGIN IMMEDIATE")
        version, state = connection.execute("SELECT version, state FROM cases WHERE id = ?", (case_id,)).fetchone()
        if not keep_workflow:
            workflow = load_workflow(state, parsed)
            workflow.script_engine = script_engine
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            connection.execute("COMMIT")
            return None
        ready[0].data.update(step_data)
        ready[0].run()
        workflow.do_engine_steps()
        connection.execute("UPDATE cases SET version = ?, state = ? WHERE id = ? AND version = ?",
                           (version + 1, dump_workflow(workflow), case_id, version))
        connection.execute("COMMIT")
        return workflow

    def run() -> None:
        for _ in range(cases):
            workflow: BpmnWorkflow | None = BpmnWorkflow(parsed.spec, parsed.subprocess_specs,
                                                         script_engine=script_engine)
            workflow.do_engine_steps()
            connection.execute("BEGIN IMMEDIATE")
            case_id = connection.execute("INSERT INTO cases (version, state) VALUES (1, ?)",
                                         (dump_workflow(workflow),)).lastrowid
            connection.execute("COMMIT")
            while workflow is not None:
                workflow = step(case_id, workflow)

    return lambda: cpu_timed(run)
