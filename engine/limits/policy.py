"""SLA policy files (``rules/sla/*.yaml``): parsing and deploy-time validation.

Format (docs/time-limits.md has a worked example)::

    policies:
      - key: licensing.accept            # unique across files
        process: licensing               # process key (BPMN process id)
        task: accept                     # BPMN element id of the user task (or a list: one limit over several)
        category: null                   # optional: only cases of this category
        limit: 5
        unit: working_days               # working_hours | working_days | minutes | hours | days
        counting: statutory              # elapsed (default) | statutory (start day not counted)
        clock_start: task_created        # task_created | case_opened | task:<element id>
        warning_at: 0.8                  # fraction of the limit that makes the item at risk
        extendable: false                # whether more time may be asked (延期) on this limit: true | false;
                                         # default false — only a limit the law or rule lets be extended
                                         # says so (行政许可法 Art. 42: the decision, not the acceptance)
        on_breach:
          - {action: escalate, to: supervisor}          # or department_head
          - {action: remind, every: 1, unit: working_hours, times: 3}
          - {action: auto_complete, data: {accepted: true}}
        stages:                          # instead of limit/unit: successive limits, each from the
          - {name: 停工, limit: 4, unit: working_hours}   # moment the previous stage was done
        limit_from: {value: limit_value, unit: limit_unit}  # instead of limit/unit: the case data keys
                                         # holding the limit (a decision table's outputs), read when the
                                         # clock starts; clock_start may then be data:<key> (an instant).
                                         # `unit:` in the policy instead of limit_from.unit fixes the unit
                                         # (then counting: statutory is allowed for working_days); value
                                         # may be a dotted path read from the work item's own task data
        resumes: social_event.disposal_0101  # instead of limit/unit/stages: the stages of that staged policy
                                         # (same process), resumed: the clock starts at the stage the case
                                         # last reached under it (or under this policy), with that stage's
                                         # whole limit from clock_start (rework after a failed verification)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from engine.calendar import UNITS
from engine.errors import Problem, parse_params, yaml_reason
from engine.yamltext import load_yaml

POLICY_FOLDER = "rules/sla/"
COUNTINGS = ("elapsed", "statutory")
ESCALATION_TARGETS = ("supervisor", "department_head")
ACTIONS = ("escalate", "remind", "auto_complete", "notify")
_POLICY_KEYS = {"key", "process", "task", "category", "limit", "unit", "limit_from", "counting", "clock_start",
                "warning_at", "on_breach", "stages", "resumes", "extendable", "source", "note"}
_LIMIT_FROM_KEYS = {"value", "unit"}
_STAGE_KEYS = {"name", "limit", "unit"}
_ACTION_KEYS = {"escalate": {"action", "to"}, "remind": {"action", "every", "unit", "times"},
                "auto_complete": {"action", "data"}, "notify": {"action", "message", "message_en"}}


@dataclass(frozen=True)
class Stage:
    name: str | None
    limit: float
    unit: str


@dataclass(frozen=True)
class LimitFrom:
    """The limit is data: ``value_key`` holds the amount, ``unit_key`` the unit (one of UNITS) — or the
    policy fixes the unit itself (``fixed_unit``) when the table gives only a number of days.

    Used when a decision table is the source of truth for the limit (the social-event catalogue's
    42 subcategories, each licensing department's review days), so the policy file never repeats its
    numbers. ``value_key`` may be a dotted path (``review.review_days``: key ``review_days`` of the
    mapping in ``review``, e.g. the element a multi-instance task works on)."""

    value_key: str
    unit_key: str | None
    fixed_unit: str | None = None

    def stage(self, data: dict[str, Any], whole: bool = False) -> Stage | None:
        """The limit the data gives, or None when it holds no usable one (``whole``: a whole number)."""
        value = _number(_lookup(data, self.value_key))
        unit = self.fixed_unit or (data.get(self.unit_key) if self.unit_key else None)
        if value is None or unit not in UNITS or (whole and not value.is_integer()):
            return None
        return Stage(None, value, unit)


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


@dataclass(frozen=True)
class BreachAction:
    action: str
    to: str | None = None
    every: float | None = None
    unit: str | None = None
    times: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    message: str | None = None  # a notify action's words (Chinese), and in English for English readers
    message_en: str | None = None


@dataclass(frozen=True)
class Policy:
    key: str
    process: str
    tasks: tuple[str, ...]
    category: str | None
    stages: tuple[Stage, ...]  # empty when the limit comes from case data (limit_from)
    counting: str = "elapsed"
    clock_start: str = "task_created"
    warning_at: float | None = None
    on_breach: tuple[BreachAction, ...] = ()
    path: str = ""
    limit_from: LimitFrom | None = None
    resumes: str | None = None  # key of the staged policy whose stages this one resumes (see resumed_stage)
    extendable: bool = False  # more time (延期) may be asked on this limit; not unless the file says so

    @property
    def task(self) -> str:
        return self.tasks[0]

    @property
    def start_data_key(self) -> str | None:
        """`clock_start: data:<key>`: the case data key holding the instant the clock starts from."""
        return self.clock_start.removeprefix("data:") if self.clock_start.startswith("data:") else None

    def stage_for(self, index: int, data: dict[str, Any]) -> Stage | None:
        if self.limit_from is not None:
            # Statutory counting ends at the close of the n-th working day: n must be whole.
            return self.limit_from.stage(data, whole=self.counting == "statutory") if index == 0 else None
        return self.stages[index] if index < len(self.stages) else None

    def matches(self, process: str, task: str, category: str | None) -> bool:
        return self.process == process and task in self.tasks and self.category in (None, category)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, element: str, message: str, *, key: str, params: dict[str, Any] | None = None) -> None:
        self.problems.append(Problem(self.path, element, message, key=key, params=params or {}))

    def unknown_keys(self, where: str, entry: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(entry) - allowed, key=str):
            self.problem(f"{where}.{key}", f"unknown key (expected one of {sorted(allowed)})", key="policy.unknown_key", params={"expected": ", ".join(sorted(allowed))})

    def stage(self, where: str, entry: Any, name: str | None = None) -> Stage | None:
        if not isinstance(entry, dict):
            self.problem(where, "a stage is a mapping with limit and unit", key="policy.stage_shape")
            return None
        limit, unit = _number(entry.get("limit")), entry.get("unit")
        if limit is None:
            self.problem(f"{where}.limit", f"limit must be a number > 0, got {entry.get('limit')!r}", key="policy.limit_not_number", params={"value": repr(entry.get("limit"))})
        if unit not in UNITS:
            self.problem(f"{where}.unit", f"unit must be one of {', '.join(UNITS)}, got {unit!r}", key="policy.unit_unknown", params={"value": repr(unit), "allowed": ", ".join(UNITS)})
        if limit is None or unit not in UNITS:
            return None
        return Stage(entry.get("name", name), limit, unit)

    def action(self, where: str, entry: Any) -> BreachAction | None:
        if not isinstance(entry, dict) or entry.get("action") not in ACTIONS:
            self.problem(where, f"an action is a mapping whose action is one of {', '.join(ACTIONS)}", key="policy.action_shape", params={"allowed": ", ".join(ACTIONS)})
            return None
        kind = entry["action"]
        self.unknown_keys(where, entry, _ACTION_KEYS[kind])
        if kind == "escalate":
            if entry.get("to") not in ESCALATION_TARGETS:
                self.problem(f"{where}.to", f"escalate to one of {', '.join(ESCALATION_TARGETS)}", key="policy.escalate_target", params={"allowed": ", ".join(ESCALATION_TARGETS)})
                return None
            return BreachAction(kind, to=entry["to"])
        if kind == "remind":
            every, unit, times = _number(entry.get("every")), entry.get("unit", "working_hours"), entry.get("times")
            if every is None:
                self.problem(f"{where}.every", "every must be a number > 0", key="policy.every_not_number")
            if unit not in UNITS:
                self.problem(f"{where}.unit", f"unit must be one of {', '.join(UNITS)}", key="policy.unit_unknown", params={"value": repr(unit), "allowed": ", ".join(UNITS)})
            if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
                self.problem(f"{where}.times", "times must be a whole number >= 1 (omit for no limit)", key="policy.times_not_whole")
                return None
            if every is None or unit not in UNITS:
                return None
            return BreachAction(kind, every=every, unit=unit, times=times)
        if kind == "auto_complete":
            data = entry.get("data", {})
            if not isinstance(data, dict):
                self.problem(f"{where}.data", "data is a mapping of form field -> value", key="policy.data_shape")
                return None
            return BreachAction(kind, data=dict(data))
        message, message_en = entry.get("message"), entry.get("message_en")
        return BreachAction(kind, message=str(message) if message else None,
                            message_en=str(message_en) if message_en else None)

    def policy(self, where: str, entry: Any) -> Policy | None:
        if not isinstance(entry, dict):
            self.problem(where, "a policy is a mapping", key="policy.shape")
            return None
        self.unknown_keys(where, entry, _POLICY_KEYS)
        ok = True
        for name in ("key", "process"):
            if not (isinstance(entry.get(name), str) and entry[name].strip()):
                self.problem(f"{where}.{name}", f"{name} is required", key="policy.required", params={"name": name})
                ok = False
        tasks = entry.get("task")
        tasks = [tasks] if isinstance(tasks, str) else tasks
        if not (isinstance(tasks, list) and tasks and all(isinstance(t, str) and t.strip() for t in tasks)):
            self.problem(f"{where}.task", "task is required: a BPMN element id, or a list of them", key="policy.task_required")
            tasks = []
            ok = False
        where = f"{where}({entry.get('key')})" if isinstance(entry.get("key"), str) else where
        category = entry.get("category")
        if category is not None and not isinstance(category, str | int):
            self.problem(f"{where}.category", "category is a code (text)", key="policy.category_shape")
            ok = False
        stages: list[Stage | None] = []
        limit_from = None
        resumes = entry.get("resumes")
        if "resumes" in entry:
            if any(k in entry for k in ("limit", "unit", "stages", "limit_from")):
                self.problem(where, "give limit/unit, stages, limit_from or resumes, only one of them", key="policy.limit_or_resumes")
                ok = False
            if not (isinstance(resumes, str) and resumes.strip()):
                self.problem(f"{where}.resumes", "resumes names the key of a staged policy", key="policy.resumes_shape")
                ok = False
        elif "limit_from" in entry:
            limit_from = self.limit_from(where, entry)
            ok = ok and limit_from is not None
        elif "stages" in entry:
            if "limit" in entry or "unit" in entry:
                self.problem(where, "give either limit/unit or stages, not both", key="policy.limit_or_stages")
                ok = False
            raw = entry["stages"]
            if not isinstance(raw, list) or not raw:
                self.problem(f"{where}.stages", "stages is a non-empty list", key="policy.stages_shape")
                ok = False
            else:
                for i, stage in enumerate(raw):
                    if isinstance(stage, dict):
                        self.unknown_keys(f"{where}.stages[{i}]", stage, _STAGE_KEYS)
                    stages.append(self.stage(f"{where}.stages[{i}]", stage))
        else:
            stages.append(self.stage(where, entry))
        counting = entry.get("counting", "elapsed")
        if counting not in COUNTINGS:
            self.problem(f"{where}.counting", f"counting must be one of {', '.join(COUNTINGS)}", key="policy.counting_unknown", params={"allowed": ", ".join(COUNTINGS)})
            ok = False
        if counting == "statutory" and limit_from is not None and limit_from.fixed_unit != "working_days":
            self.problem(f"{where}.counting", "statutory counting needs limits in working_days: with limit_from, "
                                              "give `unit: working_days` in the policy instead of a unit key", key="policy.statutory_limit_from")
            ok = False
        if counting == "statutory" and any(s and s.unit != "working_days" for s in stages):
            self.problem(f"{where}.counting", "statutory counting is for limits in working_days", key="policy.statutory_working_days")
            ok = False
        start = entry.get("clock_start", "task_created")
        if not (start in ("task_created", "case_opened")
                or (isinstance(start, str) and start.startswith("task:") and len(start) > 5)
                or (isinstance(start, str) and start.startswith("data:") and start[5:].isidentifier())):
            self.problem(f"{where}.clock_start",
                         "clock_start is task_created, case_opened, task:<element id> or data:<data key>", key="policy.clock_start")
            ok = False
        warning = entry.get("warning_at")
        if warning is not None and (isinstance(warning, bool) or not isinstance(warning, int | float)
                                    or not 0 < warning < 1):
            self.problem(f"{where}.warning_at", "warning_at is a fraction between 0 and 1 (e.g. 0.8)", key="policy.warning_at")
            ok = False
        extendable = entry.get("extendable", False)
        if not isinstance(extendable, bool):
            self.problem(f"{where}.extendable", f"extendable is true or false (may more time be asked on this "
                                               f"limit?), got {extendable!r}", key="policy.extendable_not_bool",
                         params={"value": repr(extendable)})
            ok = False
        raw_actions = entry.get("on_breach", [])
        if not isinstance(raw_actions, list):
            self.problem(f"{where}.on_breach", "on_breach is a list of actions", key="policy.on_breach_shape")
            raw_actions = []
            ok = False
        actions = [self.action(f"{where}.on_breach[{i}]", a) for i, a in enumerate(raw_actions)]
        if not ok or any(s is None for s in stages) or any(a is None for a in actions):
            return None
        return Policy(
            key=entry["key"].strip(), process=entry["process"].strip(), tasks=tuple(t.strip() for t in tasks),
            category=str(category) if category is not None else None,
            stages=tuple(s for s in stages if s is not None), counting=counting, clock_start=start,
            warning_at=float(warning) if warning is not None else None,
            on_breach=tuple(a for a in actions if a is not None), limit_from=limit_from,
            resumes=resumes.strip() if isinstance(resumes, str) else None, extendable=extendable,
        )

    def limit_from(self, where: str, entry: dict[str, Any]) -> LimitFrom | None:
        if any(k in entry for k in ("limit", "stages")):
            self.problem(where, "give limit/unit, stages or limit_from, only one of them", key="policy.limit_from_alone")
            return None
        raw = entry["limit_from"]
        if not isinstance(raw, dict):
            self.problem(f"{where}.limit_from", "limit_from is a mapping {value: <data key>, unit: <data key>}", key="policy.limit_from_shape")
            return None
        self.unknown_keys(f"{where}.limit_from", raw, _LIMIT_FROM_KEYS)
        ok = True
        value_key = raw.get("value")
        if not _is_data_path(value_key):
            self.problem(f"{where}.limit_from.value", "value names the case data key holding the limit's amount "
                                                      "(or a dotted path into it, e.g. review.review_days)", key="policy.limit_from_value")
            ok = False
        # The unit comes from the data (limit_from.unit) or is fixed by the policy (unit:), one of them.
        unit_key, fixed_unit = raw.get("unit"), entry.get("unit")
        if "unit" in entry and "unit" in raw:
            self.problem(where, "give the unit either in limit_from (a data key) or in the policy (a unit), not both", key="policy.unit_twice")
            ok = False
        elif "unit" in entry:
            if fixed_unit not in UNITS:
                self.problem(f"{where}.unit", f"unit must be one of {', '.join(UNITS)}, got {fixed_unit!r}", key="policy.unit_unknown", params={"value": repr(fixed_unit), "allowed": ", ".join(UNITS)})
                ok = False
        elif not (isinstance(unit_key, str) and unit_key.isidentifier()):
            self.problem(f"{where}.limit_from.unit", "unit names the case data key holding the limit's unit "
                                                     "(or give `unit:` in the policy)", key="policy.limit_from_unit")
            ok = False
        if not ok:
            return None
        return LimitFrom(value_key, unit_key if "unit" in raw else None, fixed_unit if "unit" in entry else None)


def _is_data_path(value: Any) -> bool:
    return isinstance(value, str) and all(part.isidentifier() for part in value.split("."))


def parse_policy_file(path: str, text: str) -> tuple[list[Policy], list[Problem]]:
    """The policies of one file and every problem found in it (policies with problems are dropped)."""
    reader = _Reader(path)
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        return [], [Problem(path, None, f"not valid YAML: {yaml_reason(exc)}", key="file.not_yaml",
                            params=parse_params(exc))]
    if not isinstance(doc, dict) or not isinstance(doc.get("policies"), list):
        return [], [Problem(path, None, "an SLA policy file is a mapping with a list under `policies`", key="policy.file_shape")]
    for key in sorted(set(doc) - {"policies", "note"}, key=str):
        reader.problem(str(key), "unknown key (expected policies, note)", key="policy.unknown_key", params={"expected": "policies, note"})
    found = [reader.policy(f"policies[{i}]", entry) for i, entry in enumerate(doc["policies"])]
    return [replace(p, path=path) for p in found if p is not None], reader.problems


def policies_from_files(files: dict[str, str]) -> tuple[list[Policy], list[Problem]]:
    """Every policy under rules/sla/ of a bundle, with duplicate keys and duplicate matches reported."""
    policies: list[Policy] = []
    problems: list[Problem] = []
    seen_keys: dict[str, str] = {}
    seen_match: dict[tuple[str, str, str | None], str] = {}
    for path in sorted(files):
        if not (path.startswith(POLICY_FOLDER) and path.endswith((".yaml", ".yml"))):
            continue
        found, file_problems = parse_policy_file(path, files[path])
        problems.extend(file_problems)
        for policy in found:
            if policy.key in seen_keys:
                problems.append(Problem(path, policy.key, f"policy key also used in {seen_keys[policy.key]}", key="policy.duplicate_key", params={"policy": policy.key, "other_file": seen_keys[policy.key]}))
                continue
            matches = [(policy.process, task, policy.category) for task in policy.tasks]
            clash = next((m for m in matches if m in seen_match), None)
            if clash is not None:
                problems.append(Problem(path, policy.key,
                                        f"same process/task/category as policy {seen_match[clash]} ({clash[1]})", key="policy.duplicate_match", params={"policy": seen_match[clash], "task": clash[1]}))
                continue
            seen_keys[policy.key] = path
            seen_match.update(dict.fromkeys(matches, policy.key))
            policies.append(policy)
    return _resolve_resumed(policies, problems)


def _resolve_resumed(policies: list[Policy], problems: list[Problem]) -> tuple[list[Policy], list[Problem]]:
    """A policy that ``resumes`` another takes that policy's stages; it must name a staged policy of the same
    process (which does not itself resume one)."""
    by_key = {p.key: p for p in policies}
    resolved: list[Policy] = []
    for policy in policies:
        if policy.resumes is None:
            resolved.append(policy)
            continue
        target = by_key.get(policy.resumes)
        if target is None or target.resumes is not None or len(target.stages) < 2 \
                or target.process != policy.process:
            problems.append(Problem(policy.path, policy.key,
                                    f"resumes '{policy.resumes}': no staged policy (two stages or more, its own "
                                    f"stages) of process '{policy.process}' has that key", key="policy.resumes_unknown", params={"resumes": policy.resumes, "process": policy.process}))
            continue
        if policy.counting == "statutory" and any(s.unit != "working_days" for s in target.stages):
            problems.append(Problem(policy.path, policy.key, "statutory counting is for limits in working_days", key="policy.statutory_working_days"))
            continue
        resolved.append(replace(policy, stages=target.stages))
    return resolved, problems


MULTI_INSTANCE_SUFFIX = " [child]"  # SpiffWorkflow's task spec name for the instances of a multi-instance task


def select_policy(policies: list[Policy], process: str, task: str, category: str | None) -> Policy | None:
    """The policy for a task: one naming the case's category wins over the one for any category.

    Each instance of a multi-instance user task (``assist [child]``) falls under the element's policy."""
    task = task.removesuffix(MULTI_INSTANCE_SUFFIX)
    candidates = [p for p in policies if p.matches(process, task, category)]
    candidates.sort(key=lambda p: p.category is None)
    return candidates[0] if candidates else None
