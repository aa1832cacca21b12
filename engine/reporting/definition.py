"""Bulletin definitions (rules/bulletins/*.yaml): parsing and validation with one problem line per mistake.

A file holds one bulletin::

    name: monthly_department_ranking          # letters, digits, '_'; unique across files
    title: {zh: 罗湖区城市管理案件办理情况月度通报, en: Monthly bulletin on case handling}
    period: monthly                           # weekly | monthly | quarterly
    scope: department                         # district | street | department: one row per unit
    departments: [chengguan, huanwei]         # optional (department scope): the units listed, by code
    measures: [received, closed, on_time_rate, overdue, overdue_days, returns, reworks, urges, satisfaction]
    rank_by: on_time_rate                     # optional: a measure among `measures`
    order: desc                               # desc (higher is better) | asc
    min_closed: 3                             # optional: fewer closed cases and a unit is listed, not ranked
    red_list:  {all: [{measure: on_time_rate, at_least: 0.95}, {measure: overdue, at_most: 0}]}   # 红榜
    black_list: {any: [{measure: on_time_rate, below: 0.8}, {measure: overdue, above: 5}]}        # 黑榜
    publish: {working_days_after: 1}          # issued at the opening of that working day after the period
    recipients: {roles: [supervisor, department_head]}
    note: free text

Validated when the definitions are loaded, validated (studio, `casegrid validate`) and deployed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.errors import Problem, yaml_reason
from engine.reporting.periods import PERIODS
from engine.yamltext import load_yaml

FOLDER = "rules/bulletins/"
SCOPES = ("district", "street", "department")
# What a bulletin can report per unit; the figures' definitions are in engine.bulletins.figures.
MEASURES = ("received", "closed", "on_time_rate", "overdue", "overdue_days", "returns", "reworks", "urges",
            "satisfaction")
RATES = frozenset({"on_time_rate", "satisfaction"})  # fractions 0..1
COMPARATORS = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}
KEYS = frozenset({"name", "title", "period", "scope", "departments", "measures", "rank_by", "order", "min_closed",
                  "red_list", "black_list", "publish", "recipients", "note"})
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class Condition:
    measure: str
    comparator: str  # a key of COMPARATORS
    value: float

    def holds(self, figure: float | int | None) -> bool:
        if figure is None:
            return False
        return {"at_least": figure >= self.value, "at_most": figure <= self.value,
                "above": figure > self.value, "below": figure < self.value}[self.comparator]


@dataclass(frozen=True)
class ListRule:
    """红榜 / 黑榜: a unit is on the list when all (or any) of the conditions hold."""

    conditions: tuple[Condition, ...]
    combine: str = "all"  # all | any

    def met_by(self, figures: Mapping[str, Any]) -> list[Condition]:
        """The conditions that put the unit on the list (empty: it is not on it)."""
        held = [c for c in self.conditions if c.holds(figures.get(c.measure))]
        if self.combine == "all":
            return held if held and len(held) == len(self.conditions) else []
        return held


@dataclass(frozen=True)
class BulletinDefinition:
    name: str
    path: str
    title_zh: str
    title_en: str
    period: str
    scope: str
    measures: tuple[str, ...]
    departments: tuple[str, ...] = ()
    rank_by: str | None = None
    order: str = "desc"
    min_closed: int = 0
    red_list: ListRule | None = None
    black_list: ListRule | None = None
    working_days_after: int = 1
    recipient_roles: tuple[str, ...] = ()
    note: str = ""

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else (self.title_en or self.title_zh)


@dataclass
class _Reader:
    path: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, element: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, element, message))

    def condition(self, where: str, entry: Any) -> Condition | None:
        if not isinstance(entry, dict):
            self.problem(where, "a condition is a mapping like {measure: on_time_rate, at_least: 0.9}")
            return None
        measure = entry.get("measure")
        if measure not in MEASURES:
            self.problem(where, f"measure {measure!r} is not one of {', '.join(MEASURES)}")
            return None
        given = [key for key in entry if key in COMPARATORS]
        unknown = sorted(set(entry) - {"measure"} - set(COMPARATORS), key=str)
        if unknown:
            self.problem(where, f"unknown key {unknown[0]!r} (expected measure and one of {', '.join(COMPARATORS)})")
            return None
        if len(given) != 1:
            self.problem(where, f"give exactly one of {', '.join(COMPARATORS)}")
            return None
        value = entry[given[0]]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(where, f"{given[0]} must be a number, not {value!r}")
            return None
        if measure in RATES and not 0 <= value <= 1:
            self.problem(where, f"{measure} is a rate between 0 and 1 (0.9 for 90%), not {value!r}")
            return None
        if measure not in RATES and value < 0:
            self.problem(where, f"{measure} is a count and cannot be compared with {value!r}")
            return None
        return Condition(measure, given[0], float(value))

    def list_rule(self, key: str, value: Any, measures: tuple[str, ...]) -> ListRule | None:
        if value is None:
            return None
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("all", "any"):
            self.problem(key, "a list rule is {all: [conditions]} or {any: [conditions]}")
            return None
        combine, entries = next(iter(value.items()))
        if not isinstance(entries, list) or not entries:
            self.problem(key, f"{combine} needs a non-empty list of conditions")
            return None
        conditions = [self.condition(f"{key}.{combine}[{i}]", entry) for i, entry in enumerate(entries)]
        if any(c is None for c in conditions):
            return None
        found = tuple(c for c in conditions if c is not None)
        for c in found:
            if c.measure not in measures:
                self.problem(key, f"condition on {c.measure}, which is not among this bulletin's measures")
                return None
        return ListRule(found, combine)


def _text_pair(reader: _Reader, value: Any) -> tuple[str, str]:
    if isinstance(value, str) and value.strip():
        return value.strip(), ""
    if isinstance(value, dict) and isinstance(value.get("zh"), str) and value["zh"].strip():
        en = value.get("en")
        return value["zh"].strip(), en.strip() if isinstance(en, str) else ""
    reader.problem("title", "a bulletin needs a title: {zh: …, en: …} (Chinese required)")
    return "", ""


def parse_bulletin(path: str, text: str, org: Any = None) -> tuple[BulletinDefinition | None, list[Problem]]:
    """One definition file; `org` (an engine.org.config.OrgConfig, optional) checks department and role codes."""
    reader = _Reader(path)
    try:
        doc = load_yaml(text)
    except yaml.YAMLError as exc:
        reader.problem(None, f"not valid YAML: {yaml_reason(exc)}")
        return None, reader.problems
    if not isinstance(doc, dict):
        reader.problem(None, "a bulletin definition is a mapping (name, title, period, scope, measures, …)")
        return None, reader.problems
    for key in sorted(set(doc) - KEYS, key=str):
        reader.problem(str(key), f"unknown key (expected {', '.join(sorted(KEYS))})")
    name = doc.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        reader.problem("name", f"name {name!r} must be lower-case letters, digits and '_' (e.g. monthly_ranking)")
    title_zh, title_en = _text_pair(reader, doc.get("title"))
    period = doc.get("period")
    if period not in PERIODS:
        reader.problem("period", f"period {period!r} is not one of {', '.join(PERIODS)}")
    scope = doc.get("scope")
    if scope not in SCOPES:
        reader.problem("scope", f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    raw_measures = doc.get("measures")
    measures: tuple[str, ...] = ()
    if not isinstance(raw_measures, list) or not raw_measures:
        reader.problem("measures", f"measures is a non-empty list of {', '.join(MEASURES)}")
    else:
        unknown = [m for m in raw_measures if m not in MEASURES]
        if unknown:
            reader.problem("measures", f"unknown measure {unknown[0]!r}; known: {', '.join(MEASURES)}")
        if len(set(map(str, raw_measures))) != len(raw_measures):
            reader.problem("measures", "a measure is listed twice")
        measures = tuple(m for m in raw_measures if m in MEASURES)
    departments: tuple[str, ...] = ()
    raw_departments = doc.get("departments")
    if raw_departments is not None:
        if scope != "department":
            reader.problem("departments", "departments lists the rows of a department-scope bulletin only")
        elif not isinstance(raw_departments, list) or not all(isinstance(d, str) for d in raw_departments):
            reader.problem("departments", "departments is a list of department codes")
        else:
            departments = tuple(raw_departments)
            if org is not None:
                missing = [d for d in departments if d not in org.codes_of("department")]
                if missing:
                    reader.problem("departments", f"unknown department {missing[0]!r} (not in the organisation)")
    rank_by = doc.get("rank_by")
    if rank_by is not None and rank_by not in measures:
        reader.problem("rank_by", f"rank_by {rank_by!r} must be one of this bulletin's measures")
        rank_by = None
    if rank_by is not None and scope == "district":
        reader.problem("rank_by", "a district-scope bulletin has one row: there is nothing to rank")
    order = doc.get("order", "desc")
    if order not in ("asc", "desc"):
        reader.problem("order", f"order {order!r} is desc (higher ranks first) or asc")
    min_closed = doc.get("min_closed", 0)
    if isinstance(min_closed, bool) or not isinstance(min_closed, int) or min_closed < 0:
        reader.problem("min_closed", f"min_closed must be a whole number >= 0, not {min_closed!r}")
        min_closed = 0
    red = reader.list_rule("red_list", doc.get("red_list"), measures)
    black = reader.list_rule("black_list", doc.get("black_list"), measures)
    publish = doc.get("publish") or {}
    after = publish.get("working_days_after", 1) if isinstance(publish, dict) else None
    if not isinstance(publish, dict) or set(publish) - {"working_days_after"}:
        reader.problem("publish", "publish is {working_days_after: N}")
        after = 1
    elif isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= 20:
        reader.problem("publish", f"working_days_after must be a whole number from 0 to 20, not {after!r}")
        after = 1
    recipients = doc.get("recipients") or {}
    roles: tuple[str, ...] = ()
    if not isinstance(recipients, dict) or set(recipients) - {"roles"} or not isinstance(recipients.get("roles", []), list):
        reader.problem("recipients", "recipients is {roles: [role codes]}")
    else:
        roles = tuple(map(str, recipients.get("roles", [])))
        if org is not None:
            missing = [r for r in roles if r not in org.roles]
            if missing:
                reader.problem("recipients", f"unknown role {missing[0]!r} (not in the organisation)")
    note = doc.get("note", "")
    if reader.problems:
        return None, reader.problems
    return BulletinDefinition(str(name), path, title_zh, title_en, str(period), str(scope), measures, departments,
                              rank_by, str(order), int(min_closed), red, black, int(after), roles,
                              str(note or "")), []


def bulletins_from_files(files: Mapping[str, str], org: Any = None) -> tuple[dict[str, BulletinDefinition], list[Problem]]:
    """Every definition under rules/bulletins/ of a bundle, by name; a name used twice is a problem."""
    found: dict[str, BulletinDefinition] = {}
    problems: list[Problem] = []
    for path in sorted(files):
        if not (path.startswith(FOLDER) and path.endswith((".yaml", ".yml"))):
            continue
        definition, file_problems = parse_bulletin(path, files[path], org)
        problems.extend(file_problems)
        if definition is None:
            continue
        if definition.name in found:
            problems.append(Problem(path, "name", f"bulletin name {definition.name!r} is also used in "
                                                  f"{found[definition.name].path}"))
            continue
        found[definition.name] = definition
    return found, problems


def check_bulletins(files: Mapping[str, str], org: Any = None) -> list[Problem]:
    return bulletins_from_files(files, org)[1]
