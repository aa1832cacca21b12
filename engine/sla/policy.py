"""SLA policy files (``rules/sla/*.yaml``): parsing and deploy-time validation.

Format (docs/time-limits.md has a worked example)::

    policies:
      - key: licensing.accept            # unique across files
        process: licensing               # process key (BPMN process id)
        task: accept                     # BPMN element id of the user task
        category: null                   # optional: only cases of this category
        limit: 5
        unit: working_days               # working_hours | working_days | minutes | hours | days
        counting: statutory              # elapsed (default) | statutory (start day not counted)
        clock_start: task_created        # task_created | case_opened | task:<element id>
        warning_at: 0.8                  # fraction of the limit that makes the item at risk
        on_breach:
          - {action: escalate, to: supervisor}          # or department_head
          - {action: remind, every: 1, unit: working_hours, times: 3}
          - {action: auto_complete, data: {accepted: true}}
        stages:                          # instead of limit/unit: successive limits, each from the
          - {name: 停工, limit: 4, unit: working_hours}   # moment the previous stage was done
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from engine.calendar import UNITS
from engine.errors import Problem

POLICY_FOLDER = "rules/sla/"
COUNTINGS = ("elapsed", "statutory")
ESCALATION_TARGETS = ("supervisor", "department_head")
ACTIONS = ("escalate", "remind", "auto_complete", "notify")
_POLICY_KEYS = {"key", "process", "task", "category", "limit", "unit", "counting", "clock_start",
                "warning_at", "on_breach", "stages", "source", "note"}
_STAGE_KEYS = {"name", "limit", "unit"}
_ACTION_KEYS = {"escalate": {"action", "to"}, "remind": {"action", "every", "unit", "times"},
                "auto_complete": {"action", "data"}, "notify": {"action", "message"}}


@dataclass(frozen=True)
class Stage:
    name: str | None
    limit: float
    unit: str


@dataclass(frozen=True)
class BreachAction:
    action: str
    to: str | None = None
    every: float | None = None
    unit: str | None = None
    times: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    message: str | None = None


@dataclass(frozen=True)
class Policy:
    key: str
    process: str
    task: str
    category: str | None
    stages: tuple[Stage, ...]
    counting: str = "elapsed"
    clock_start: str = "task_created"
    warning_at: float | None = None
    on_breach: tuple[BreachAction, ...] = ()
    path: str = ""

    def matches(self, process: str, task: str, category: str | None) -> bool:
        return self.process == process and self.task == task and self.category in (None, category)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, element: str, message: str) -> None:
        self.problems.append(Problem(self.path, element, message))

    def unknown_keys(self, where: str, entry: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(entry) - allowed, key=str):
            self.problem(f"{where}.{key}", f"unknown key (expected one of {sorted(allowed)})")

    def stage(self, where: str, entry: Any, name: str | None = None) -> Stage | None:
        if not isinstance(entry, dict):
            self.problem(where, "a stage is a mapping with limit and unit")
            return None
        limit, unit = _number(entry.get("limit")), entry.get("unit")
        if limit is None:
            self.problem(f"{where}.limit", f"limit must be a number > 0, got {entry.get('limit')!r}")
        if unit not in UNITS:
            self.problem(f"{where}.unit", f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
        if limit is None or unit not in UNITS:
            return None
        return Stage(entry.get("name", name), limit, unit)

    def action(self, where: str, entry: Any) -> BreachAction | None:
        if not isinstance(entry, dict) or entry.get("action") not in ACTIONS:
            self.problem(where, f"an action is a mapping whose action is one of {', '.join(ACTIONS)}")
            return None
        kind = entry["action"]
        self.unknown_keys(where, entry, _ACTION_KEYS[kind])
        if kind == "escalate":
            if entry.get("to") not in ESCALATION_TARGETS:
                self.problem(f"{where}.to", f"escalate to one of {', '.join(ESCALATION_TARGETS)}")
                return None
            return BreachAction(kind, to=entry["to"])
        if kind == "remind":
            every, unit, times = _number(entry.get("every")), entry.get("unit", "working_hours"), entry.get("times")
            if every is None:
                self.problem(f"{where}.every", "every must be a number > 0")
            if unit not in UNITS:
                self.problem(f"{where}.unit", f"unit must be one of {', '.join(UNITS)}")
            if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
                self.problem(f"{where}.times", "times must be a whole number >= 1 (omit for no limit)")
                return None
            if every is None or unit not in UNITS:
                return None
            return BreachAction(kind, every=every, unit=unit, times=times)
        if kind == "auto_complete":
            data = entry.get("data", {})
            if not isinstance(data, dict):
                self.problem(f"{where}.data", "data is a mapping of form field -> value")
                return None
            return BreachAction(kind, data=dict(data))
        message = entry.get("message")
        return BreachAction(kind, message=str(message) if message else None)

    def policy(self, where: str, entry: Any) -> Policy | None:
        if not isinstance(entry, dict):
            self.problem(where, "a policy is a mapping")
            return None
        self.unknown_keys(where, entry, _POLICY_KEYS)
        ok = True
        for name in ("key", "process", "task"):
            if not (isinstance(entry.get(name), str) and entry[name].strip()):
                self.problem(f"{where}.{name}", f"{name} is required")
                ok = False
        where = f"{where}({entry.get('key')})" if isinstance(entry.get("key"), str) else where
        category = entry.get("category")
        if category is not None and not isinstance(category, str | int):
            self.problem(f"{where}.category", "category is a code (text)")
            ok = False
        stages: list[Stage | None] = []
        if "stages" in entry:
            if "limit" in entry or "unit" in entry:
                self.problem(where, "give either limit/unit or stages, not both")
                ok = False
            raw = entry["stages"]
            if not isinstance(raw, list) or not raw:
                self.problem(f"{where}.stages", "stages is a non-empty list")
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
            self.problem(f"{where}.counting", f"counting must be one of {', '.join(COUNTINGS)}")
            ok = False
        if counting == "statutory" and any(s and s.unit != "working_days" for s in stages):
            self.problem(f"{where}.counting", "statutory counting is for limits in working_days")
            ok = False
        start = entry.get("clock_start", "task_created")
        if not (start in ("task_created", "case_opened")
                or (isinstance(start, str) and start.startswith("task:") and len(start) > 5)):
            self.problem(f"{where}.clock_start", "clock_start is task_created, case_opened or task:<element id>")
            ok = False
        warning = entry.get("warning_at")
        if warning is not None and (isinstance(warning, bool) or not isinstance(warning, int | float)
                                    or not 0 < warning < 1):
            self.problem(f"{where}.warning_at", "warning_at is a fraction between 0 and 1 (e.g. 0.8)")
            ok = False
        raw_actions = entry.get("on_breach", [])
        if not isinstance(raw_actions, list):
            self.problem(f"{where}.on_breach", "on_breach is a list of actions")
            raw_actions = []
            ok = False
        actions = [self.action(f"{where}.on_breach[{i}]", a) for i, a in enumerate(raw_actions)]
        if not ok or any(s is None for s in stages) or any(a is None for a in actions):
            return None
        return Policy(
            key=entry["key"].strip(), process=entry["process"].strip(), task=entry["task"].strip(),
            category=str(category) if category is not None else None,
            stages=tuple(s for s in stages if s is not None), counting=counting, clock_start=start,
            warning_at=float(warning) if warning is not None else None,
            on_breach=tuple(a for a in actions if a is not None),
        )


def parse_policy_file(path: str, text: str) -> tuple[list[Policy], list[Problem]]:
    """The policies of one file and every problem found in it (policies with problems are dropped)."""
    reader = _Reader(path)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [], [Problem(path, None, f"not valid YAML: {' '.join(str(exc).split())}")]
    if not isinstance(doc, dict) or not isinstance(doc.get("policies"), list):
        return [], [Problem(path, None, "an SLA policy file is a mapping with a list under `policies`")]
    for key in sorted(set(doc) - {"policies", "note"}, key=str):
        reader.problem(str(key), "unknown key (expected policies, note)")
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
                problems.append(Problem(path, policy.key, f"policy key also used in {seen_keys[policy.key]}"))
                continue
            match = (policy.process, policy.task, policy.category)
            if match in seen_match:
                problems.append(Problem(path, policy.key, f"same process/task/category as policy {seen_match[match]}"))
                continue
            seen_keys[policy.key] = path
            seen_match[match] = policy.key
            policies.append(policy)
    return policies, problems


def select_policy(policies: list[Policy], process: str, task: str, category: str | None) -> Policy | None:
    """The policy for a task: one naming the case's category wins over the one for any category."""
    candidates = [p for p in policies if p.matches(process, task, category)]
    candidates.sort(key=lambda p: p.category is None)
    return candidates[0] if candidates else None
