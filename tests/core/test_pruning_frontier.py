"""Pruning finds the new top of a task tree from the unfinished tasks under a finished parent only. That is
the same task it finds from every unfinished task (each other one lies below an unfinished task of the
list): checked at every prune of every shipped scenario, which run the shipped processes through parallel
branches, boundary timers, messages, multi-instance tasks and loops."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from engine.runtime import pruning

from .helpers import run_every_shipped_scenario


def test_the_frontier_gives_the_same_top_as_every_unfinished_task_in_every_shipped_scenario(monkeypatch):
    real = pruning.prune_tree
    checked = {"prunes": 0, "moved": 0}

    def checking(workflow, top_workflow):  # type: ignore[no-untyped-def]
        unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
        if unfinished:
            frontier = [t for t in unfinished if t.parent is None or t.parent.has_state(TaskState.FINISHED_MASK)]
            assert frontier, "the topmost unfinished task always has a finished parent or none"
            expected = pruning._new_top(unfinished)
            assert pruning._new_top(frontier) is expected
            checked["prunes"] += 1
            checked["moved"] += expected is not None
        return real(workflow, top_workflow)

    monkeypatch.setattr(pruning, "prune_tree", checking)
    run_every_shipped_scenario()
    assert checked["prunes"] > 100 and checked["moved"] > 10, checked

