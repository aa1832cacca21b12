"""Which element of the new version each element of the old one becomes.

SpiffWorkflow's ``SpecDiff`` aligns task specs by id and, failing that, by their neighbours. An
analyst's id map (``old=new``) comes first: a renamed task is named, not guessed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.specs.base import TaskSpec

from engine.errors import InvalidInput
from engine.runtime.serialization import spec_registry


@dataclass
class Alignment:
    """Old task spec -> new task spec (None: removed), and the attributes that differ per aligned pair."""

    pairs: dict[TaskSpec, TaskSpec | None] = field(default_factory=dict)
    changes: dict[TaskSpec, list[str]] = field(default_factory=dict)
    # Old element ids the analyst's map names (a multi-instance task's instance element with it).
    mapped: set[str] = field(default_factory=set)

    def target(self, spec: TaskSpec) -> TaskSpec | None:
        return self.pairs.get(spec)

    def guessed(self, spec: TaskSpec) -> bool:
        """Paired with an element of another id by structure alone, which the analyst has not confirmed."""
        target = self.pairs.get(spec)
        return target is not None and target.name != spec.name and spec.name not in self.mapped


def parse_id_map(pairs: Iterable[str]) -> dict[str, str]:
    """`old=new` pairs (the CLI's --map, the studio's lines) as a map; anything else is refused."""
    found: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise InvalidInput(f"--map takes old=new element ids, not {pair!r}", {"map": [pair]},
                               key="migration.bad_map", params={"problems": pair})
        found[old.strip()] = new.strip()
    return found


def check_id_map(id_map: Mapping[str, str], old: BpmnProcessSpec, new: BpmnProcessSpec) -> None:
    """Every mapped id must name an element of its version: a typo would silently map nothing."""
    problems: dict[str, list[str]] = {}
    for old_id, new_id in id_map.items():
        if old_id not in old.task_specs:
            problems.setdefault("map", []).append(f"{old_id} is no element of the old version")
        if new_id not in new.task_specs:
            problems.setdefault("map", []).append(f"{new_id} is no element of the new version")
    if problems:
        raise InvalidInput("the id map names elements that do not exist: " + "; ".join(problems["map"]),
                           problems, key="migration.bad_map", params={"problems": "; ".join(problems["map"])})


def align(old: BpmnProcessSpec, new: BpmnProcessSpec, id_map: Mapping[str, str] | None = None) -> Alignment:
    registry = spec_registry()
    diff = SpecDiff(registry, old, new)
    pairs: dict[TaskSpec, TaskSpec | None] = dict(diff.alignment)
    changes = {spec: list(found) for spec, found in diff.comparisons.items()}
    mapped: set[str] = set()
    for old_id, new_id in _with_instances(id_map or {}, old, new).items():
        if old_id in old.task_specs and new_id in new.task_specs:
            spec, target = old.task_specs[old_id], new.task_specs[new_id]
            pairs[spec] = target
            changes[spec] = diff._compare_task_specs(spec, target)
            mapped.add(old_id)
    # Specs SpecDiff never reached from the start (boundary-event internals, loop instances) align by id.
    for name, spec in old.task_specs.items():
        if spec not in pairs:
            target = new.task_specs.get((id_map or {}).get(name, name))
            pairs[spec] = target
            if target is not None:
                changes[spec] = diff._compare_task_specs(spec, target)
    return Alignment(pairs, changes, mapped)


def _with_instances(id_map: Mapping[str, str], old: BpmnProcessSpec, new: BpmnProcessSpec) -> dict[str, str]:
    """A mapped multi-instance task maps its instance element too (SpiffWorkflow names it apart)."""
    full = dict(id_map)
    for old_id, new_id in id_map.items():
        before, after = old.task_specs.get(old_id), new.task_specs.get(new_id)
        if isinstance(before, LoopTask) and isinstance(after, LoopTask):
            full.setdefault(before.task_spec, after.task_spec)
    return full
