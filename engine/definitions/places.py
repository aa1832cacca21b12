"""Where in its file a problem is, as facts the studio words in the reader's language (Problem.place).

A problem names its element in the engine's own English (`Problem.element`, kept as it is for the CLI, the API
and the modeler, which selects a diagram element by it): a BPMN element's id, ``decision 'se_catalogue' rule
'r1' (row 1)``, a form field's key, ``policies[2](b1).unit``. An analyst reads the element by what it is and
what it is called, so `locate` reads each element back against its file and gives the facts to word it by:

- DMN: the decision (its id, its name, its place among the file's decisions), the rule or rules (row numbers
  and ids), an input or output column (number, label, and the expression or output name the file keeps);
- BPMN: the element's type (and an event's definition: timer, message…), id, name and English name (nameEn),
  a sequence flow's source and target;
- forms: a field (key, its labels, its place in the form as the editor numbers the cards) or a member of the
  form file (key, schema…);
- time-limit policies (rules/sla/): the policy's place in the file and its key, a stage or breach action;
- rule sets (rules/events/): a rule's place and name, an action's number;
- a top-level member of a YAML or JSON file.

The shapes read here are every shape the engine builds (tests/web/test_problem_texts_corpus.py holds each
problem of the hostile corpus to a place); an element it cannot read back, or whose file it cannot read, gets
no place and the studio shows the element as the engine wrote it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from lxml import etree

from engine.definitions.bundle import kind_of
from engine.definitions.names import name_en_of
from engine.errors import Problem
from engine.yamltext import load_yaml

# Uploaded through the studio, so: no entity expansion, no network, no DTD loading (XXE).
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                              huge_tree=False)

# DMN elements (engine.decisions.parser/compiler, routing_checks, code_checks, decisions.validation):
# decision 'ID' [column N | output column N | column 'TITLE' | output 'NAME'
#                | rule 'RID' (row N) [column 'TITLE' | output 'NAME' | and rule 'RID' (row M)]]
_DECISION = re.compile(r"decision '(?P<decision>[^']*)'(?P<rest>.*)", re.S)
_RULE = re.compile(r" rule '(?P<rule>[^']*)' \(row (?P<row>\d+)\)(?P<rest>.*)", re.S)
_SECOND_RULE = re.compile(r" and rule '(?P<rule>[^']*)' \(row (?P<row>\d+)\)")
_COLUMN_NUMBER = re.compile(r" (?P<side>column|output column) (?P<number>\d+)")
_COLUMN_NAMED = re.compile(r" (?P<side>column|output) '(?P<title>.*)'", re.S)
# rules/sla/ (engine.limits.policy): policies[I][(KEY)] then .member, .stages[J], .on_breach[J] ...
_POLICY = re.compile(r"policies\[(?P<index>\d+)\](?:\((?P<key>[^()]*)\))?(?P<rest>(?:\.[A-Za-z_]\w*|\[\d+\])*)")
_PATH_STEP = re.compile(r"\.(?P<name>[A-Za-z_]\w*)|\[(?P<index>\d+)\]")
# rules/events/ (engine.rules.ruleset): rule 'NAME' [action N]
_RULESET_RULE = re.compile(r"rule '(?P<rule>.*)'(?: action (?P<action>\d+))?", re.S)
# forms: a JSON pointer into the schema ($ref), schema/properties/FIELD/...
_FORM_POINTER = re.compile(r"schema/properties/(?P<field>[^/]+)(?:/.*)?", re.S)
# The members of a form file the engine names alone (forms/checks.py).
FORM_MEMBERS = ("key", "title", "description", "schema", "uiSchema")
# Problems about the form file as a whole, whose element is its key.
_WHOLE_FORM_KEYS = {"form.duplicate_key": "form", "form.key_not_file_name": "key", "form.schema_draft": "schema"}


def locate(problems: Iterable[Problem], files: Mapping[str, str]) -> list[Problem]:
    """`problems`, each with its `place` where its element can be read back against its file in `files`."""
    documents: dict[str, Any] = {}
    located = []
    for problem in problems:
        place = None
        if problem.element and problem.file in files:
            try:
                place = place_of(problem, files[problem.file], documents)
            except Exception:  # noqa: BLE001 - a file too broken to read again keeps the element as written
                place = None
        located.append(replace(problem, place=place) if place else problem)
    return located


def place_of(problem: Problem, text: str, documents: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The facts naming `problem`'s element in its file `text` (None when its shape or target is unknown).
    `documents` caches each file's parsed document across the problems of one validation."""
    cache = documents if documents is not None else {}
    path, element = problem.file, str(problem.element or "")
    kind = kind_of(path)
    reader = _READERS.get(kind)
    if reader is None or not element:
        return None
    if path not in cache:
        cache[path] = _PARSERS[kind](text)
    document = cache[path]
    return reader(document, element, problem, path) if document is not None else None


# --- reading files ------------------------------------------------------------------------------------
def _xml(text: str) -> etree._Element | None:
    try:
        return etree.fromstring(text.encode("utf-8"), parser=_XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _json(text: str) -> Any:
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except (json.JSONDecodeError, RecursionError):
        return None


def _yaml(text: str) -> Any:
    try:
        return load_yaml(text)
    except Exception:  # noqa: BLE001 - yaml.YAMLError and the C loader's odd failures alike
        return None


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if _local(child) == name]


def _text_child(node: etree._Element | None) -> str:
    """The <text> of a DMN inputExpression (stripped), "" without one."""
    if node is None:
        return ""
    found = _children(node, "text")
    return (found[0].text or "").strip() if found else ""


# --- DMN ----------------------------------------------------------------------------------------------
def _dmn_place(root: etree._Element, element: str, _problem: Problem, _path: str) -> dict[str, Any] | None:
    decisions = [node for node in root.iter() if _local(node) == "decision"]
    matched = _DECISION.fullmatch(element)
    decision_id, rest = (matched.group("decision"), matched.group("rest")) if matched else (element, "")
    found = next(((n, node) for n, node in enumerate(decisions, 1) if node.get("id") == decision_id), None)
    if found is None:
        return None
    number, node = found
    place: dict[str, Any] = {"kind": "decision", "decision": decision_id, "decision_name": (node.get("name") or "").strip(),
                             "decision_number": number}
    if not rest:
        return place
    table = next(iter(_children(node, "decisionTable")), None)
    if table is None:
        return None
    rule = _RULE.match(rest)
    if rule is not None:
        rows = [int(rule.group("row"))]
        rest = rule.group("rest")
        second = _SECOND_RULE.fullmatch(rest)
        if second is not None:
            rows.append(int(second.group("row")))
            rest = ""
        rules = _children(table, "rule")
        if any(row > len(rules) for row in rows):
            return None
        place["rows"] = rows
        place["rule_ids"] = [rules[row - 1].get("id") or "" for row in rows]
        if not rest:
            return place
    column = _column(table, rest, decision_id)
    return {**place, "column": column} if column is not None else None


def _column(table: etree._Element, rest: str, decision_id: str) -> dict[str, Any] | None:
    """An input or output column of the table: its side, number, label and the code the file keeps."""
    inputs = _children(table, "input")
    outputs = _children(table, "output")
    numbered = _COLUMN_NUMBER.fullmatch(rest)
    named = _COLUMN_NAMED.fullmatch(rest) if numbered is None else None
    if numbered is not None:
        side = "input" if numbered.group("side") == "column" else "output"
        index = int(numbered.group("number")) - 1
        columns = inputs if side == "input" else outputs
        if not 0 <= index < len(columns):
            return None
    elif named is not None:
        side = "input" if named.group("side") == "column" else "output"
        title = named.group("title")
        if side == "input":
            titles = [node.get("label") or _text_child(next(iter(_children(node, "inputExpression")), None))
                      or node.get("id") or f"input{n}" for n, node in enumerate(inputs, 1)]
        else:  # DMN: a single unnamed output is the decision's own result (engine.decisions.parser)
            titles = [node.get("name") or decision_id for node in outputs]
        if title not in titles:
            return None
        index = titles.index(title)
    else:
        return None
    node = (inputs if side == "input" else outputs)[index]
    if side == "input":
        code = _text_child(next(iter(_children(node, "inputExpression")), None))
    else:
        code = node.get("name") or ""
    return {"side": side, "number": index + 1, "label": (node.get("label") or "").strip(), "code": code}


# --- BPMN ---------------------------------------------------------------------------------------------
def _bpmn_node(node: etree._Element) -> dict[str, Any]:
    """What names a BPMN element: its type (an event with its definition), id, name and English name."""
    facts: dict[str, Any] = {"type": _local(node), "id": node.get("id") or "", "name": (node.get("name") or "").strip(),
                             "name_en": name_en_of(node) or ""}
    definitions = [_local(child).removesuffix("EventDefinition") for child in node
                   if _local(child).endswith("EventDefinition")]
    if len(definitions) == 1:
        facts["event"] = definitions[0]
    return facts


def _bpmn_place(root: etree._Element, element: str, _problem: Problem, _path: str) -> dict[str, Any] | None:
    nodes = [node for node in root.iter() if isinstance(node.tag, str) and node.get("id") == element]
    if len(nodes) == 1:
        node = nodes[0]
        place = {"kind": "bpmn", **_bpmn_node(node)}
        if place["type"] in ("sequenceFlow", "messageFlow", "association"):
            by_id = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
            for end, ref in (("source", "sourceRef"), ("target", "targetRef")):
                if node.get(ref) in by_id:
                    place[end] = _bpmn_node(by_id[node.get(ref)])
        return place
    # An element without an id is named by its type (bpmn_checks._label): say that type.
    if not nodes and any(_local(node) == element and not node.get("id") for node in root.iter()):
        return {"kind": "bpmn", "type": element, "id": "", "name": "", "name_en": ""}
    return None


# --- forms --------------------------------------------------------------------------------------------
def _form_place(doc: Any, element: str, problem: Problem, path: str) -> dict[str, Any] | None:
    if not isinstance(doc, Mapping):
        return None
    schema = doc.get("schema") if isinstance(doc.get("schema"), Mapping) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    ui = doc.get("uiSchema") if isinstance(doc.get("uiSchema"), Mapping) else {}
    title = doc.get("title")
    form = {"form": str(doc.get("key") or ""), "form_title": _text(title, "zh"), "form_title_en": _text(title, "en")}
    whole = _WHOLE_FORM_KEYS.get(problem.key or "")
    if whole is not None:
        return {"kind": "form", "member": whole, **form}
    pointer = _FORM_POINTER.fullmatch(element)
    name = pointer.group("field") if pointer is not None else element
    if name in props:
        return {"kind": "form_field", **_field(name, props, ui), **form}
    if pointer is not None:
        return None
    if element in FORM_MEMBERS:
        return {"kind": "form", "member": element, **form}
    if problem.params.get("field") == element:
        # a key the file names that is no field of the form (schema.required, uiSchema, ui:order)
        return {"kind": "form_field", "field": element, "missing": True, **form}
    return None


def _text(value: Any, lang: str) -> str:
    """A {zh, en} text's entry in `lang` ("" for none); a plain string is Chinese."""
    if isinstance(value, Mapping):
        found = value.get(lang)
        return found.strip() if isinstance(found, str) else ""
    return value.strip() if isinstance(value, str) and lang == "zh" else ""


def _field(name: str, props: Mapping[str, Any], ui: Mapping[str, Any]) -> dict[str, Any]:
    """A field by its labels and its place in the form, as the form editor numbers its cards (ui:order, then
    the fields it leaves out); whether another field reads alike in each language."""
    order = ui.get("ui:order") if isinstance(ui.get("ui:order"), list) else []
    keys = [k for k in dict.fromkeys(order) if k in props] + [k for k in props if k not in order]

    def labels(key: str) -> tuple[str, str]:
        field_ui = ui.get(key) if isinstance(ui.get(key), Mapping) else {}
        zh, en = _text(field_ui.get("ui:title"), "zh"), _text(field_ui.get("ui:title"), "en")
        return zh, en or zh

    zh, en = labels(name)
    others = [labels(key) for key in keys if key != name]
    return {"field": name, "label": zh, "label_en": en, "number": keys.index(name) + 1,
            "label_shared": bool(zh) and zh in (o[0] for o in others),
            "label_en_shared": bool(en) and en in (o[1] for o in others)}


# --- rules/: time-limit policies, rule sets, other YAML and JSON files ----------------------------------
_MEMBER = re.compile(r"[A-Za-z_][\w:]*")


def _member(doc: Any, element: str, *, present: bool = True) -> dict[str, Any] | None:
    """A top-level member of a YAML or JSON file, named by its key (`present`: only one the file has; else
    also one it lacks, as a rule set's required members)."""
    if not isinstance(doc, Mapping) or not _MEMBER.fullmatch(element):
        return None
    if present and element not in {str(key) for key in doc}:
        return None
    return {"kind": "member", "member": element}


def _policy_place(doc: Any, element: str, problem: Problem, path: str) -> dict[str, Any] | None:
    if not isinstance(doc, Mapping):
        return None
    policies = doc.get("policies") if isinstance(doc.get("policies"), list) else []
    matched = _POLICY.fullmatch(element)
    if matched is None:
        member = _member(doc, element)
        if member is not None:
            return member
        keys = [p.get("key") if isinstance(p, Mapping) else None for p in policies]
        found = [n for n, key in enumerate(keys, 1) if key == element]
        if not found:
            return None
        # A key used twice in this file: the line is about the second policy (the first one was kept).
        again = problem.key == "policy.duplicate_key" and problem.params.get("other_file") == path
        return {"kind": "policy", "number": found[1] if again and len(found) > 1 else found[0], "policy": element}
    index = int(matched.group("index"))
    if index >= len(policies):
        return None
    entry = policies[index]
    key = matched.group("key")
    if key is None and isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
        key = entry["key"]
    place: dict[str, Any] = {"kind": "policy", "number": index + 1, "policy": key or ""}
    steps = [(m.group("name"), m.group("index")) for m in _PATH_STEP.finditer(matched.group("rest"))]
    if len(steps) >= 2 and steps[0][0] in ("stages", "on_breach") and steps[1][1] is not None:
        place["stage" if steps[0][0] == "stages" else "action"] = int(steps[1][1]) + 1
        steps = steps[2:]
    if any(name is None for name, _index in steps):
        return None
    if steps:
        place["member"] = ".".join(name for name, _index in steps)
    return place


def _ruleset_place(doc: Any, element: str, _problem: Problem, _path: str) -> dict[str, Any] | None:
    matched = _RULESET_RULE.fullmatch(element)
    if matched is None:
        return _member(doc, element, present=False)
    rules = doc.get("rules") if isinstance(doc, Mapping) else None
    if not isinstance(rules, Mapping) or matched.group("rule") not in rules:
        return None
    place: dict[str, Any] = {"kind": "ruleset_rule", "rule": matched.group("rule"),
                             "number": list(rules).index(matched.group("rule")) + 1}
    if matched.group("action"):
        place["action"] = int(matched.group("action"))
    return place


def _table_place(doc: Any, element: str, problem: Problem, path: str) -> dict[str, Any] | None:
    if path.startswith("rules/sla/"):
        return _policy_place(doc, element, problem, path)
    return _member(doc, element)


_PARSERS: dict[str, Callable[[str], Any]] = {"dmn": _xml, "bpmn": _xml, "form": _json, "table": _yaml,
                                             "ruleset": _json}
_READERS: dict[str, Callable[[Any, str, Problem, str], dict[str, Any] | None]] = {
    "dmn": _dmn_place, "bpmn": _bpmn_place, "form": _form_place, "table": _table_place, "ruleset": _ruleset_place,
}
