"""The rule-set file format (rules/events/*.json): parsed into frozen dataclasses, validated with one
Problem per mistake. Conditions are durable-rules JSON; windows, streaks and memory are the adapter's."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from engine.errors import DefinitionInvalid, Problem, parse_params

NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
FOLDER = "rules/events/"
_TOP_KEYS = {"name", "description", "accepts", "posted_by", "session_key", "session_ttl_seconds", "rules"}
_RULE_KEYS = {"when", "window", "streak", "after", "remember", "cooldown_seconds", "actions", "description"}
LINK_TARGETS = ("event", "window", "after")


@dataclass(frozen=True)
class Rule:
    name: str
    when: dict[str, Any]  # durable-rules condition, e.g. {"all": [{"m": {"type": "case.reported"}}]}
    window_count: int | None = None  # fire when this many matches fell within window_seconds
    window_seconds: float | None = None
    streak: int | None = None  # fire after this many consecutive matching events of the session
    after_rule: str | None = None  # fire only if `after_rule` matched in the session within after_seconds
    after_seconds: float | None = None
    remember: bool = False  # keep this rule's last match in the session (for another rule's `after`)
    cooldown_seconds: float = 0.0  # after firing, stay quiet this long (event time)
    actions: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class RuleSet:
    name: str
    accepts: tuple[str, ...]
    session_key: tuple[str, ...]
    session_ttl_seconds: float
    rules: tuple[Rule, ...]
    path: str = ""
    description: dict[str, str] = field(default_factory=dict)
    digest: str = ""
    # Roles that may post the accepted event types through POST /api/v1/events (the engine's own
    # case events need none); without any, events of these types come only from the engine.
    posted_by: tuple[str, ...] = ()


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _single_event(when: Any) -> bool:
    # One-event patterns only: durable-rules keeps no partial matches, so its one session per rule
    # never grows (engine.rules.adapter explains why that matters).
    if not isinstance(when, dict) or len(when) != 1:
        return False
    (kind, terms), = when.items()
    if kind not in ("all", "any") or not isinstance(terms, list) or not terms:
        return False
    if kind == "all" and len(terms) != 1:
        return False
    return all(isinstance(t, dict) and set(t) == {"m"} and isinstance(t["m"], dict) for t in terms)


def _check_rule(path: str, name: str, spec: Any, operations: set[str] | None) -> list[Problem]:
    where = f"rule '{name}'"
    if not isinstance(spec, dict):
        return [Problem(path, where, "must be an object", key="ruleset.rule_not_object")]
    problems = [Problem(path, where, f"unknown key '{k}'", key="ruleset.unknown_key", params={"name": k}) for k in sorted(set(spec) - _RULE_KEYS)]
    when = spec.get("when")
    if not _single_event(when):
        problems.append(Problem(path, where, "'when' must be {\"all\": [{\"m\": condition}]} or {\"any\": "
                                             "[{\"m\": ...}, ...]}: conditions on one event (windows, streaks and "
                                             "memory are the rule's own keys)", key="ruleset.when_shape"))
    window = spec.get("window")
    if window is not None and (not isinstance(window, dict) or set(window) != {"count", "seconds"}
                               or not isinstance(window.get("count"), int) or window["count"] < 1
                               or not _positive(window.get("seconds"))):
        problems.append(Problem(path, where, "'window' must be {\"count\": int >= 1, \"seconds\": > 0}", key="ruleset.window_shape"))
    streak = spec.get("streak")
    if streak is not None and (not isinstance(streak, dict) or set(streak) != {"count"}
                               or not isinstance(streak.get("count"), int) or streak["count"] < 1):
        problems.append(Problem(path, where, "'streak' must be {\"count\": int >= 1}", key="ruleset.streak_shape"))
    after = spec.get("after")
    if after is not None and (not isinstance(after, dict) or set(after) != {"rule", "seconds"}
                              or not _positive(after.get("seconds"))):
        problems.append(Problem(path, where, "'after' must be {\"rule\": name, \"seconds\": > 0}", key="ruleset.after_shape"))
    if sum(k in spec for k in ("window", "streak")) > 1:
        problems.append(Problem(path, where, "use either 'window' or 'streak'", key="ruleset.window_or_streak"))
    if "cooldown_seconds" in spec and not (_positive(spec["cooldown_seconds"]) or spec["cooldown_seconds"] == 0):
        problems.append(Problem(path, where, "'cooldown_seconds' must be a number >= 0", key="ruleset.cooldown_shape"))
    actions = spec.get("actions", [])
    if not isinstance(actions, list):
        problems.append(Problem(path, where, "'actions' must be a list", key="ruleset.actions_shape"))
        actions = []
    for index, action in enumerate(actions):
        label = f"{where} action {index + 1}"
        if not isinstance(action, dict) or not isinstance(action.get("operation"), str):
            problems.append(Problem(path, label, "an action is an object naming an 'operation'", key="ruleset.action_shape"))
            continue
        if operations is not None and action["operation"] not in operations:
            problems.append(Problem(path, label, f"unknown operation '{action['operation']}' "
                                                 f"(registered: {', '.join(sorted(operations))})", key="ruleset.unknown_operation", params={"operation": str(action["operation"])}))
        keys = ("from", "to") if action["operation"] == "link_cases" else ("link", "target")
        for key in keys:
            if key in action and action[key] not in (*LINK_TARGETS, None):
                problems.append(Problem(path, label, f"'{key}' must be one of {', '.join(LINK_TARGETS)}", key="ruleset.link_target", params={"name": key, "allowed": ", ".join(LINK_TARGETS)}))
    if not actions and not spec.get("remember"):
        problems.append(Problem(path, where, "a rule needs actions (or 'remember': true)", key="ruleset.no_actions"))
    return problems


def validate_ruleset(text: str, path: str, operations: set[str] | None = None) -> list[Problem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Problem(path, None, f"not valid JSON: {exc}", key="file.not_json", params=parse_params(exc))]
    if not isinstance(data, dict):
        return [Problem(path, None, "a rule set is a JSON object", key="ruleset.not_object")]
    problems = [Problem(path, None, f"unknown key '{k}'", key="ruleset.unknown_key", params={"name": k}) for k in sorted(set(data) - _TOP_KEYS)]
    if not isinstance(data.get("name"), str) or not NAME.match(data["name"]):
        problems.append(Problem(path, "name", "required: lower-case letters, digits and _ (max 60)", key="ruleset.name_shape"))
    for key in ("accepts", "session_key"):
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            problems.append(Problem(path, key, "must be a non-empty list of strings", key="ruleset.list_of_strings", params={"name": key}))
    posted_by = data.get("posted_by", [])
    if not isinstance(posted_by, list) or not all(isinstance(v, str) and v for v in posted_by):
        problems.append(Problem(path, "posted_by", "must be a list of role codes", key="ruleset.posted_by_shape"))
    if not _positive(data.get("session_ttl_seconds")):
        problems.append(Problem(path, "session_ttl_seconds", "required: a number of seconds > 0", key="ruleset.ttl_shape"))
    rules = data.get("rules")
    if not isinstance(rules, dict) or not rules:
        problems.append(Problem(path, "rules", "must be a non-empty object of rule name -> rule", key="ruleset.rules_shape"))
        return problems
    for name, spec in rules.items():
        if not NAME.match(name):
            problems.append(Problem(path, f"rule '{name}'", "rule names: lower-case letters, digits and _", key="ruleset.rule_name_shape"))
        problems.extend(_check_rule(path, name, spec, operations))
        after = spec.get("after") if isinstance(spec, dict) else None
        if isinstance(after, dict) and after.get("rule") not in rules:
            problems.append(Problem(path, f"rule '{name}'", f"'after' names unknown rule '{after.get('rule')}'", key="ruleset.after_unknown", params={"rule": str(after.get("rule"))}))
        elif isinstance(after, dict) and not rules[after["rule"]].get("remember"):
            problems.append(Problem(path, f"rule '{name}'", f"rule '{after['rule']}' must have 'remember': true", key="ruleset.after_not_remembered", params={"rule": str(after["rule"])}))
    return problems


def parse_ruleset(text: str, path: str, operations: set[str] | None = None) -> RuleSet:
    problems = validate_ruleset(text, path, operations)
    if problems:
        raise DefinitionInvalid(problems)
    data = json.loads(text)
    rules = []
    for name, spec in data["rules"].items():
        window = spec.get("window") or {}
        after = spec.get("after") or {}
        rules.append(Rule(
            name=name, when=spec["when"], window_count=window.get("count"), window_seconds=window.get("seconds"),
            streak=(spec.get("streak") or {}).get("count"), after_rule=after.get("rule"),
            after_seconds=after.get("seconds"), remember=bool(spec.get("remember")),
            cooldown_seconds=float(spec.get("cooldown_seconds", 0)), actions=tuple(spec.get("actions", []))))
    return RuleSet(name=data["name"], accepts=tuple(data["accepts"]), session_key=tuple(data["session_key"]),
                   session_ttl_seconds=float(data["session_ttl_seconds"]), rules=tuple(rules), path=path,
                   description=data.get("description") or {}, digest=hashlib.sha256(text.encode()).hexdigest()[:10],
                   posted_by=tuple(data.get("posted_by") or ()))
