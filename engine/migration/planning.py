"""Where each waiting token of one case lands in the new version, and what stops the move.

A case can move when every element it waits at (an open user task, a timer, a message catch, a
running multi-instance task or subprocess) exists in the new version as the same kind of element and,
for events and multi-instance tasks, works the same way. What cannot be moved is reported and the case
is left where it is: an open task whose element was removed (someone holds that work), a multi-instance
task whose collection or instance variables changed (the running instances would no longer fit), a
timer or message catch whose definition changed (the wait the case is in would change meaning).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.migration.alignment import Alignment, align
from engine.runtime.parsing import ParsedProcess

WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED
# Attributes of a multi-instance task that decide which instances exist and what they carry.
_INSTANCE_SHAPE = ("task_spec", "cardinality", "data_input", "data_output", "input_item", "output_item", "condition")


@dataclass(frozen=True)
class Move:
    """One waiting token: the element it waits at now and the element it will wait at."""

    element: str
    name: str
    state: str
    to_element: str | None
    to_name: str | None


@dataclass(frozen=True)
class Blocker:
    """Why a case cannot move; `key` words it in the UI (web/error_texts, with `name` and `target` as
    its params), `text` in the API and CLI."""

    element: str
    name: str
    key: str
    text: str
    target: str = ""


@dataclass
class CasePlan:
    case_id: int
    business_key: str
    moves: list[Move] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def movable(self) -> bool:
        return not self.blockers


@dataclass
class VersionAlignment:
    """The alignment of the top-level process and of every subprocess the old version declares."""

    top: Alignment
    subprocesses: dict[str, Alignment | None]
    new: ParsedProcess

    def for_spec(self, process_spec: BpmnProcessSpec, is_top: bool) -> Alignment | None:
        return self.top if is_top else self.subprocesses.get(process_spec.name)


def align_versions(old: ParsedProcess, new: ParsedProcess, id_map: Mapping[str, str] | None = None) -> VersionAlignment:
    subprocesses: dict[str, Alignment | None] = {}
    for name, spec in old.subprocess_specs.items():
        target = new.subprocess_specs.get(name)
        subprocesses[name] = align(spec, target, id_map) if target is not None else None
    return VersionAlignment(align(old.spec, new.spec, id_map), subprocesses, new)


def _shown(spec: TaskSpec) -> bool:
    """Elements of the diagram, not SpiffWorkflow's internal joins and splits."""
    return getattr(spec, "bpmn_id", None) is not None


def _label(spec: TaskSpec) -> str:
    if isinstance(spec, LoopTask) and not spec.bpmn_name:
        # SpiffWorkflow gives the diagram's name to the instance element, not to the loop around it.
        instance = spec._wf_spec.task_specs.get(spec.task_spec)
        if instance is not None and instance.bpmn_name:
            return str(instance.bpmn_name)
    return getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name


def _blocker(task: Task, target: TaskSpec | None, alignment: Alignment) -> Blocker | None:
    spec = task.task_spec
    element, name = spec.bpmn_id or spec.name, _label(spec)
    if target is None:
        if spec.manual:
            return Blocker(element, name, "migration.removed_open_task",
                           f"task {name} ({element}) has an open work item but is not in the new version")
        return Blocker(element, name, "migration.removed_waiting_element",
                       f"the case waits at {name} ({element}), which is not in the new version")
    if alignment.guessed(spec):
        return Blocker(element, name, "migration.unconfirmed_rename",
                       f"{name} ({element}) looks renamed to {_label(target)} ({target.bpmn_id or target.name}); "
                       f"confirm with the id map {element}={target.bpmn_id or target.name}", _label(target))
    changed = alignment.changes.get(spec, [])
    if "typename" in changed:
        return Blocker(element, name, "migration.changed_kind",
                       f"{name} ({element}) is a different kind of element in the new version")
    if isinstance(spec, LoopTask) and any(attr in changed for attr in _INSTANCE_SHAPE):
        return Blocker(element, name, "migration.changed_multi_instance",
                       f"the multi-instance task {name} ({element}) is running and its instances are defined "
                       "differently in the new version")
    if task.has_state(TaskState.WAITING) and "event_definition" in changed:
        return Blocker(element, name, "migration.changed_event",
                       f"the case waits at {name} ({element}), whose timer or message differs in the new version")
    return None


def plan_case(case_id: int, business_key: str, workflow: BpmnWorkflow, versions: VersionAlignment) -> CasePlan:
    plan = CasePlan(case_id, business_key)
    for sub_name, alignment in versions.subprocesses.items():
        if alignment is None and any(sp.spec.name == sub_name for sp in workflow.subprocesses.values()):
            plan.blockers.append(Blocker(sub_name, sub_name, "migration.removed_subprocess",
                                         f"the subprocess {sub_name} is running but is not in the new version"))
    for task in workflow.get_tasks(state=WAITING):
        is_top = task.workflow is workflow
        alignment = versions.for_spec(task.workflow.spec, is_top)
        if alignment is None:
            continue  # reported above, once per subprocess
        target = alignment.target(task.task_spec)
        blocker = _blocker(task, target, alignment)
        if blocker is not None:
            plan.blockers.append(blocker)
        # A running multi-instance task shows as its instances; several instances as one line.
        if _shown(task.task_spec) and not (isinstance(task.task_spec, LoopTask) and task.children):
            move = Move(task.task_spec.bpmn_id, _label(task.task_spec), TaskState.get_name(task.state),
                        target.bpmn_id if target is not None else None, _label(target) if target is not None else None)
            if move not in plan.moves:
                plan.moves.append(move)
    return plan
