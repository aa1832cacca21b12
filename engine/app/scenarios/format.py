"""The scenario file: YAML with a start, then steps (do, return, message, advance, expect).

    name: 噪声投诉：处置超期后升级
    process: social_event
    clock: 2026-11-24 10:00          # local time (settings' zone) the case starts at
    start: {as: hotline1, data: {...}}
    steps:
      - expect: {tasks: [立案], status: running}
      - do: 立案                     # a task by name or element id
        as: dispatcher1
        data: {...}
      - advance: 3 working days      # or: 2 hours, 90 minutes, 5 days, 1 working hour
      - advance to: 2026-11-30 09:00
      - message: agency_status        # sent to the scenario's case
        as: duty1
        data: {...}
      - start: social_event           # another case (later steps act on it), e.g. the third report of a hot spot
        as: gw_s03c01g01
        data: {...}
      - follow: hot_spot              # later steps act on the newest case of hot_spot this scenario caused
      - expect: {tasks: [...], departments: {处理反馈: 环境卫生管理处}, due: {处理反馈: 2026-11-27 18:00},
                 sla: {处理反馈: 超期}, status: completed, data: {grade: Ⅳ}, incidents: 0,
                 cases: {hot_spot: 1}}       # cases of each process the scenario started, itself or by rules
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InvalidInput

EXPECTATIONS = ("tasks", "departments", "assignees", "due", "sla", "status", "data", "incidents", "cases")
ACTIONS = ("do", "return", "message", "advance", "advance to", "expect", "start", "follow")
MAX_STEPS = 500


@dataclass(frozen=True)
class Step:
    kind: str                 # one of ACTIONS
    target: Any               # task, message name, amount, instant or the expectations
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    department: str | None = None   # `do`: which of several open instances (a 协办 unit, an agency)
    refused: str | None = None      # `do`: the refusal expected instead (forbidden, conflict, invalid_input…)
    line: int = 0


@dataclass(frozen=True)
class Scenario:
    path: str
    name: str
    process: str
    clock: datetime | None
    starter: str
    start_data: dict[str, Any]
    steps: tuple[Step, ...]


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line so that a result line can say which step it is about."""


def _mapping_with_line(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _bad(path: str, line: int, message: str) -> InvalidInput:
    text = f"{path}:{line}: {message}"
    return InvalidInput(text, {"scenario": [text]}, key="scenario.invalid", params={"problem": text})


def _instant(path: str, line: int, value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(path, line, f"not a date and time (YYYY-MM-DD HH:MM): {value!r}") from None


_PER_TASK = ("departments", "assignees", "due", "sla", "data", "cases")


def _check_expectations(path: str, line: int, wanted: dict[str, Any]) -> None:
    if "tasks" in wanted and not isinstance(wanted["tasks"], list):
        raise _bad(path, line, "expect tasks takes a list of task names or element ids, [] for none")
    if "incidents" in wanted and not isinstance(wanted["incidents"], int):
        raise _bad(path, line, "expect incidents takes a number")
    for name in _PER_TASK:
        if name in wanted and not isinstance(wanted[name], dict):
            raise _bad(path, line, f"expect {name} takes a mapping, e.g. {{处理反馈: …}}")
    for task, due in (wanted.get("due") or {}).items():
        for value in due if isinstance(due, list) else [due]:
            if value is not None:
                wanted["due"][task] = due if isinstance(due, list) else _instant(path, line, value)


def _step(path: str, raw: Any) -> Step:
    if not isinstance(raw, dict):
        raise _bad(path, 0, f"a step is a mapping such as 'do: 立案', not {raw!r}")
    line = int(raw.get("__line__", 0))
    kinds = [k for k in ACTIONS if k in raw]
    if len(kinds) != 1:
        raise _bad(path, line, f"a step has exactly one of {', '.join(ACTIONS)}")
    kind = kinds[0]
    unknown = set(raw) - {kind, "as", "data", "department", "refused", "reason", "__line__"}
    if unknown:
        raise _bad(path, line, f"unknown key(s) {', '.join(sorted(unknown))}")
    target = _clean(raw[kind])
    if kind == "expect":
        if not isinstance(target, dict) or not target or set(target) - set(EXPECTATIONS):
            raise _bad(path, line, f"expect takes a mapping of {', '.join(EXPECTATIONS)}")
        _check_expectations(path, line, target)
    elif kind == "advance to":
        target = _instant(path, line, target)
    elif target in (None, ""):
        raise _bad(path, line, f"{kind} needs a value")
    data = _clean(raw.get("data") or {})
    if not isinstance(data, dict):
        raise _bad(path, line, "data must be a mapping")
    if kind == "return":
        data = {"reason": str(raw.get("reason") or "")}
    return Step(kind, target, raw.get("as"), data, raw.get("department"), raw.get("refused"), line)


def parse_scenario(text: str, path: str) -> Scenario:
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise _bad(path, 0, f"not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(raw, dict):
        raise _bad(path, 0, "a scenario is a mapping with name, process, start and steps")
    for key in ("process", "start", "steps"):
        if key not in raw:
            raise _bad(path, 1, f"missing '{key}'")
    start = raw["start"]
    if not isinstance(start, dict) or "as" not in start:
        raise _bad(path, 1, "start needs 'as' (who opens the case) and usually 'data'")
    steps = raw["steps"] or []
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise _bad(path, 1, f"steps must be a list of at most {MAX_STEPS}")
    clock = _instant(path, 1, raw["clock"]) if raw.get("clock") is not None else None
    return Scenario(path, str(raw.get("name") or Path(path).stem), str(raw["process"]), clock, str(start["as"]),
                    _clean(start.get("data") or {}), tuple(_step(path, s) for s in steps))


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(path.read_text(encoding="utf-8"), str(path))
