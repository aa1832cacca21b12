"""Move a workflow on that was left stalled by an engine defect since fixed.

Before engine.runtime.parsing.connect_loop_merges, a multi-instance (or loop) task whose instances
completed in another process than the one that created them never merged them: the task stayed
STARTED with every instance done, and whatever followed (a parallel join) waited for ever. Merging the
finished instances it has not merged yet lets it complete as SpiffWorkflow would have.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def merge_finished_instances(workflow: BpmnWorkflow) -> int:
    """Merge each completed instance a STARTED loop task has not merged; how many were merged."""
    merged = 0
    for task in workflow.get_tasks(state=TaskState.STARTED):
        spec = task.task_spec
        if not isinstance(spec, LoopTask):
            continue
        done = set(task.internal_data.get("merged", []))
        for child in list(spec._instances(task)):
            if child.state == TaskState.COMPLETED and str(child.id) not in done and task.state == TaskState.STARTED:
                spec.merge_child(task.workflow, child)
                merged += 1
    return merged
