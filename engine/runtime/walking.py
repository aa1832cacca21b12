"""The workflow's tasks in SpiffWorkflow's own order, walked once for several questions.

SpiffWorkflow answers every `get_tasks(state=...)` with an iterator object that re-checks its filter,
copies its pending list and counts depth for each task it passes; a step asks it for the ready user
tasks and for the live tasks whose data make the case's data, each one walk of the whole tree. This walk
visits the same tasks in the same order (depth first, a subprocess's tasks before the children of the
task that runs it, the same pruning of branches that cannot hold what is asked for) and answers both.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# SpiffWorkflow's iterator stops descending at this depth; pruning (engine.runtime.pruning) keeps every
# casegrid tree far above it, and the walk keeps the same bound.
MAX_DEPTH = 1000


def _lowest_state(mask: int) -> int:
    """The least state a task must have for its children to be worth visiting (SpiffWorkflow's rule:
    predicted tasks follow definite ones, definite tasks follow finished ones, never the other way)."""
    if mask & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if mask & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def walk(workflow: BpmnWorkflow, mask: int = TaskState.ANY_MASK) -> Iterator[Task]:
    """Every task the tree walk passes that could lead to a task with a state in `mask`, in
    `workflow.get_tasks`'s order (callers filter by state themselves)."""
    lowest = _lowest_state(mask)
    skip_finished_subprocesses = mask <= TaskState.FINISHED_MASK
    subprocesses = workflow.top_workflow.subprocesses
    pending: list[tuple[Task, int]] = [(workflow.task_tree, 0)]
    while pending:
        task, depth = pending.pop()
        yield task
        subprocess = subprocesses.get(task.id)
        if not (task._children or subprocess is not None) or depth >= MAX_DEPTH:
            continue
        if task.state < lowest and subprocess is None:
            continue
        following = task.children
        if subprocess is not None and not (task.state >= TaskState.FINISHED_MASK and skip_finished_subprocesses):
            following = [subprocess.task_tree, *following]
        pending.extend((child, depth + 1) for child in reversed(following))


@dataclass(frozen=True)
class LiveTasks:
    ready_user: list[Task]  # ready user tasks: the work items
    live: list[Task]  # ready, waiting or started: whose data is the case's data


def live_tasks(workflow: BpmnWorkflow) -> LiveTasks:
    ready_user: list[Task] = []
    live: list[Task] = []
    for task in walk(workflow, LIVE):
        state = task.state
        if state & LIVE:
            live.append(task)
            if state == TaskState.READY and task.task_spec.manual:
                ready_user.append(task)
    return LiveTasks(ready_user, live)
