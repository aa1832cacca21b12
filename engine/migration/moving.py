"""Apply an alignment to a case's workflow in memory: its tasks take the new version's elements.

Task ids, states and data stay as they are, so open work items, their claims and time-limit clocks,
waiting timers and message subscriptions keep their rows. What lies ahead of each waiting token is
predicted again from the new version, so a task added after the current one is reached. Finished tasks
whose element was removed are history only (the audit trail holds it); they keep a neutral element.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.migration.alignment import Alignment
from engine.migration.planning import VersionAlignment
from engine.runtime.parsing import ParsedProcess

_AHEAD = TaskState.FUTURE | TaskState.PREDICTED_MASK


def _retarget(tasks: dict, alignment: Alignment, new_spec: BpmnProcessSpec) -> None:
    for task in tasks.values():
        target = alignment.target(task.task_spec)
        if target is not None:
            task.task_spec = target
        elif task.has_state(TaskState.FINISHED_MASK):
            task.task_spec = new_spec.start
        elif not task.has_state(_AHEAD):  # a plan with blockers is never applied
            raise ValueError(f"the case waits at {task.task_spec.name}, which has no element in the new version")
        # A predicted task of a removed element is dropped when what lies ahead is predicted again.


def _check_all_retargeted(tasks: dict, new_spec: BpmnProcessSpec) -> None:
    for task in tasks.values():
        if new_spec.task_specs.get(task.task_spec.name) is not task.task_spec:
            raise ValueError(f"{task.task_spec.name} is still an element of the old version")


def _predict_again(task: Task) -> None:
    """Forget what was predicted after `task` and predict it from its (new) element."""
    spec = task.task_spec
    if task.has_state(TaskState.STARTED):
        # A running multi-instance task or subprocess keeps its instances; only its successors are redone.
        instance = spec.task_spec if isinstance(spec, LoopTask) else None
        for child in list(task.children):
            if child.has_state(_AHEAD) and child.task_spec.name != instance:
                task.workflow._remove_task(child.id)
        present = {child.task_spec for child in task.children}
        for output in spec.outputs:
            if output not in present:
                child = task._add_child(output, TaskState.FUTURE)
                output._predict(child, mask=_AHEAD)
        return
    task._drop_children()
    spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)


def move_workflow(workflow: BpmnWorkflow, versions: VersionAlignment) -> None:
    new: ParsedProcess = versions.new
    for sub in workflow.subprocesses.values():
        alignment = versions.subprocesses.get(sub.spec.name)
        target = new.subprocess_specs.get(sub.spec.name)
        if alignment is None or target is None:
            raise ValueError(f"subprocess {sub.spec.name} is not in the new version")
        _retarget(sub.tasks, alignment, target)
        sub.spec = target
    _retarget(workflow.tasks, versions.top, new.spec)
    workflow.spec = new.spec
    workflow.subprocess_specs = new.subprocess_specs
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        _predict_again(task)
    _check_all_retargeted(workflow.tasks, new.spec)
    for sub in workflow.subprocesses.values():
        _check_all_retargeted(sub.tasks, sub.spec)
