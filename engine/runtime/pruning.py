"""Drop finished history from a workflow's task tree.

SpiffWorkflow keeps every finished task and grows the tree one level per step of a loop; its task
iterator stops at depth 1000, so a loop silently stalls (or reports completion with empty data) after a
few hundred passes, and every step walks the whole history. The audit table is the history; the tree
only needs what can still run. We re-root the tree at the deepest finished task that is an ancestor of
every unfinished task: everything above it is finished and nothing below it refers to it.
"""
from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def _path_from_root(task: Task) -> list[Task]:
    path: list[Task] = []
    node: Task | None = task
    while node is not None:
        path.append(node)
        node = node.parent
    path.reverse()
    return path


def _new_top(unfinished: list[Task]) -> Task | None:
    common = _path_from_root(unfinished[0])
    for task in unfinished[1:]:
        path = _path_from_root(task)
        depth = 0
        while depth < min(len(common), len(path)) and common[depth] is path[depth]:
            depth += 1
        common = common[:depth]
    # Unfinished tasks inherit data from their parent when they become ready, so the new top must be
    # a finished ancestor, never one of them.
    while common and not common[-1].has_state(TaskState.FINISHED_MASK):
        common.pop()
    # Root and its direct child need no pruning.
    return common[-1] if len(common) > 2 else None


def _subtree_ids(top: Task) -> set[UUID]:
    ids: set[UUID] = set()
    stack = [top]
    while stack:
        task = stack.pop()
        ids.add(task.id)
        stack.extend(task.children)
    return ids


def prune_tree(workflow: BpmnWorkflow, top_workflow: BpmnWorkflow) -> int:
    """Prune one (sub)workflow's tree; returns how many tasks were dropped."""
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return 0
    # Only the unfinished tasks under a finished parent (or none) bound the common ancestor: any other lies
    # below an unfinished task of the list, whose path is a prefix of its own. Walking every predicted
    # task's path from the root cost as much as the step it pruned after.
    top = _new_top([t for t in unfinished if t.parent is None or t.parent.has_state(TaskState.FINISHED_MASK)])
    if top is None:
        return 0
    root = workflow.task_tree
    keep = _subtree_ids(top)
    keep.add(root.id)
    dropped = [task_id for task_id in workflow.tasks if task_id not in keep]
    if not dropped:
        return 0
    # The data a task carries is materialised on the object; serialisation re-deltas it against the
    # new parent, so re-parenting loses nothing.
    top._parent = root.id
    root._children = [top.id]
    for task_id in dropped:
        del workflow.tasks[task_id]
        if task_id in top_workflow.subprocesses:
            _drop_subprocess(top_workflow, task_id)
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = None
    return len(dropped)


def _drop_subprocess(top_workflow: BpmnWorkflow, parent_task_id: UUID) -> None:
    subprocess = top_workflow.subprocesses.pop(parent_task_id)
    nested = [tid for tid, sp in top_workflow.subprocesses.items() if sp.parent_workflow is subprocess]
    for task_id in nested:
        _drop_subprocess(top_workflow, task_id)


def prune_history(workflow: BpmnWorkflow) -> int:
    dropped = prune_tree(workflow, workflow)
    for subprocess in list(workflow.subprocesses.values()):
        dropped += prune_tree(subprocess, workflow)
    return dropped


def tree_depth(workflow: BpmnWorkflow) -> int:
    deepest = 0
    stack = [(workflow.task_tree, 1)]
    while stack:
        task, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in task.children)
    return deepest
