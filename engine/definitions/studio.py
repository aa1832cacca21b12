"""What the analyst studio reads beyond deploy/validate: the deployed files, and the names a diagram may use.

No Flask here: web/studio calls these inside one transaction each.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml
from lxml import etree
from sqlalchemy.orm import Session

from engine.definitions.bpmn_checks import BPMN, NS
from engine.definitions.bundle import Bundle, kind_of, path_problem, printable
from engine.definitions.names import name_en_of
from engine.definitions.service import current_bundle, process_summaries
from engine.errors import InvalidInput, NotFound
from engine.forms.i18n import split_bilingual
from engine.org.config import OrgConfig
from engine.org.service import known_organisation
from engine.yamltext import load_yaml

# Files never offered for download: their contents are initial passwords, not definitions.
_PRIVATE = re.compile(r"(^|/)[^/]*users[^/]*\.ya?ml$")


@dataclass(frozen=True)
class DefinitionFile:
    path: str
    kind: str  # bpmn | dmn | form | table | ruleset (engine.definitions.bundle.kind_of)
    size: int
    title: tuple[str, str] | None = None  # (zh, en): what the file names itself, if it does (file_title)


@dataclass(frozen=True)
class Choice:
    """A value the properties panel offers, with a label in both languages.

    `kind` and `within` are what tell two choices of the same name apart, as people would (never by the
    code): the kind of thing it is (`role` or `department` for a lane) and the names of what it belongs to
    (a street office's street, the processes that use a form, the file a decision is in), in (zh, en)."""

    value: str
    label_zh: str
    label_en: str
    kind: str = ""
    within: tuple[str, str] | None = None


@dataclass(frozen=True)
class DecisionInput:
    """An input column of a decision table that a form's choice field may take its options from
    (`ui:optionsFrom`): its code (the input expression, the variable; else the column's id), its Chinese
    label, and the other names a form may use for it (docs/forms.md)."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionSource:
    """A deployed decision with the inputs that list their values (inputValues): what a form's options can
    come from."""

    value: str
    label: str
    inputs: tuple[DecisionInput, ...]
    within: tuple[str, str] | None = None


@dataclass(frozen=True)
class ModelerNames:
    """The names a diagram may refer to: forms (formKey), decisions (calledDecisionId), lane codes (roles and
    departments), role codes alone (starters) and deployed process keys (a call activity's called process)."""

    forms: list[Choice]
    decisions: list[Choice]
    lanes: list[Choice]
    roles: list[Choice]
    processes: list[Choice]


def is_private(path: str) -> bool:
    return bool(_PRIVATE.search(path))


def check_path(path: str) -> str:
    """A definition path as files are keyed (`forms/x.json`); refuses anything outside the three folders."""
    problem = path_problem(path)
    if problem is not None:
        raise InvalidInput(f"'{printable(path)}' is not a definition path", {"path": [
            f"{problem}; expected processes/*.bpmn, rules/*.dmn|yaml|json or forms/*.json"]})
    return path


def upload_path(filename: str) -> str:
    """Where an uploaded file goes, by its suffix (as `casegrid deploy` files loose files)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if name.endswith(".bpmn"):
        return check_path(f"processes/{name}")
    if name.endswith((".dmn", ".yaml", ".yml")):
        return check_path(f"rules/{name}")
    if name.endswith(".json"):
        return check_path(f"forms/{name}")
    raise InvalidInput(f"'{name}' is not a definition file", {"file": ["expected .bpmn, .dmn, .yaml or .json"]})


def deployed_files(session: Session) -> list[DefinitionFile]:
    bundle = current_bundle(session)
    return [DefinitionFile(path, kind_of(path), len(text.encode("utf-8")), file_title(path, text))
            for path, text in sorted(bundle.files.items()) if not is_private(path)]


def file_title(path: str, text: str) -> tuple[str, str] | None:
    """What a definition file calls itself, in (zh, en): a diagram its processes' names, a decision file its
    name, a form, bulletin or rule set its title or description. None for a file that names nothing (a
    calendar, the organisation) or that does not parse (validation reports that)."""
    kind = kind_of(path)
    if kind == "bpmn":
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            return None
        names = [name for _process, name in _processes_of(root) if name[0]]
        return ("、".join(zh for zh, _en in names), ", ".join(en or zh for zh, en in names)) if names else None
    if kind == "dmn":
        try:
            name = (etree.fromstring(text.encode("utf-8")).get("name") or "").strip()
        except etree.XMLSyntaxError:
            return None
        return (name, name) if name else None
    try:
        doc = json.loads(text) if path.endswith(".json") else load_yaml(text)
    except (ValueError, yaml.YAMLError):  # validation reports a file that does not parse
        return None
    if not isinstance(doc, dict):
        return None
    for field in ("title", "description"):
        value = doc.get(field)
        if isinstance(value, dict) and isinstance(value.get("zh"), str) and value["zh"].strip():
            zh = value["zh"].strip()
            en = value.get("en") if isinstance(value.get("en"), str) and value["en"].strip() else zh
            return zh, en.strip()
    return None


def deployed_file(session: Session, path: str, folder: str | None = None, suffix: str | None = None) -> str:
    """The deployed text of `path`. Reading a file that is not there is NotFound, also when no definition
    file could have that name (`bogus.json`, not under forms/) or it is not of the kind asked for
    (`folder`/`suffix`: the form editor reads forms/*.json only): a page address, not input to correct.
    Only names a client sends to be stored are refused as invalid (check_path)."""
    if path_problem(path) is not None or (folder is not None and not path.startswith(f"{folder}/")) \
            or (suffix is not None and not path.endswith(suffix)):
        raise NotFound(f"no deployed file '{printable(path)}'")
    text = current_bundle(session).files.get(path)
    if text is None or is_private(path):
        raise NotFound(f"no deployed file '{path}'")
    return text


def _processes(bundle: Bundle) -> list[tuple[etree._Element, tuple[str, str]]]:
    """The <process> elements of the deployed diagrams, in the order of their files, each with its (zh, en)
    names: the name, in English its nameEn (else the English half of a name written in both languages)."""
    found = []
    for _path, text in sorted(bundle.of_kind("bpmn").items()):
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        found += _processes_of(root)
    return found


def _processes_of(root: etree._Element) -> list[tuple[etree._Element, tuple[str, str]]]:
    found = []
    for process in root.iter(f"{{{BPMN}}}process"):
        zh, en = split_bilingual((process.get("name") or "").strip())
        found.append((process, (zh, name_en_of(process) or en)))
    return found


def _form_users(bundle: Bundle) -> dict[str, list[tuple[str, str]]]:
    """form key -> the (zh, en) names of the deployed processes whose diagrams use it (a task's, a start's or
    a message's formKey), in the order of their files."""
    users: dict[str, list[tuple[str, str]]] = {}
    for process, name in _processes(bundle):
        if not name[0]:
            continue  # a process without a name cannot tell anything apart
        for key in process.xpath(".//spiffworkflow:property[@name='formKey']/@value", namespaces=NS):
            if name not in users.setdefault(key, []):
                users[key].append(name)
    return users


def _form_choices(bundle: Bundle) -> list[Choice]:
    users = _form_users(bundle)
    found = []
    for text in bundle.of_kind("form").values():
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            continue  # validation reports it; the panel just cannot offer it
        if not isinstance(doc, dict) or not isinstance(doc.get("key"), str):
            continue
        title = doc.get("title") if isinstance(doc.get("title"), dict) else {}
        used_by = users.get(doc["key"], [])
        within = ("、".join(zh for zh, _en in used_by), ", ".join(en for _zh, en in used_by)) if used_by else None
        found.append(Choice(doc["key"], str(title.get("zh") or doc["key"]), str(title.get("en") or title.get("zh") or doc["key"]),
                            within=within))
    return sorted(found, key=lambda c: c.value)


def _decisions(bundle: Bundle) -> list[etree._Element]:
    """The <decision> elements (with an id) of the deployed DMN files."""
    found = []
    for text in bundle.of_kind("dmn").values():
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        found += [node for node in root.iter() if _is(node, "decision") and node.get("id")]
    return sorted(found, key=lambda node: node.get("id"))


def _file_name(decision: etree._Element) -> tuple[str, str] | None:
    """The (zh, en) name of the decisions' file (its definitions' name): what tells namesakes apart."""
    root = decision.getroottree().getroot()
    name = (root.get("name") or "").strip()
    return split_bilingual(name) if name else None


def _is(node: etree._Element, localname: str) -> bool:
    return isinstance(node.tag, str) and etree.QName(node).localname == localname


def _child(node: etree._Element, localname: str) -> etree._Element | None:
    return next((c for c in node if _is(c, localname)), None)


def _decision_choices(bundle: Bundle) -> list[Choice]:
    found = []
    for decision in _decisions(bundle):
        name = decision.get("name") or decision.get("id")
        found.append(Choice(decision.get("id"), name, name, within=_file_name(decision)))
    return found


def _listed_inputs(decision: etree._Element) -> list[DecisionInput]:
    """The inputs of the decision's table that list values in inputValues, named as a form names them."""
    table = _child(decision, "decisionTable")
    found = []
    for column in table if table is not None else ():
        if not _is(column, "input"):
            continue
        values = _child(column, "inputValues")
        if values is None or not "".join(values.itertext()).strip():
            continue
        expression = _child(column, "inputExpression")
        variable = "".join(expression.itertext()).strip() if expression is not None else ""
        value = variable or column.get("id") or ""
        label = column.get("label") or value
        if value:
            aliases = tuple(a for a in (column.get("label"), column.get("id")) if a and a != value)
            found.append(DecisionInput(value, label, aliases))
    return found


def decision_sources(session: Session) -> list[DecisionSource]:
    """The deployed decisions a form's choice field may take its options from (`ui:optionsFrom`), each
    with the inputs that list their values; decisions without such an input are left out."""
    found = []
    for decision in _decisions(current_bundle(session)):
        inputs = _listed_inputs(decision)
        if inputs:
            found.append(DecisionSource(decision.get("id"), decision.get("name") or decision.get("id"), tuple(inputs),
                                        _file_name(decision)))
    return found


def modeler_names(session: Session) -> ModelerNames:
    bundle = current_bundle(session)
    org = known_organisation(session)
    roles = sorted((Choice(code, zh, en, kind="role") for code, (zh, en) in org.roles.items()),
                   key=lambda c: c.value)
    departments = sorted((Choice(code, unit.name_zh, unit.name_en, kind="department", within=_names_of(org, unit.parent_code))
                          for code, unit in org.units.items() if unit.kind == "department"), key=lambda c: c.value)
    named = {process.get("id"): name for process, name in _processes(bundle) if name[0]}
    processes = [Choice(key, *named.get(key, split_bilingual(name or key)))
                 for key, name, _latest, _count in process_summaries(session)]
    # Lanes: the roles, then the departments (the page groups them so).
    return ModelerNames(_form_choices(bundle), _decision_choices(bundle), [*roles, *departments], roles, processes)


def _names_of(org: OrgConfig, code: str | None) -> tuple[str, str] | None:
    unit = org.units.get(code) if code else None
    return (unit.name_zh, unit.name_en or unit.name_zh) if unit is not None else None


def new_form_text(key: str) -> str:
    """A starting point for a new form file: one required text field, titles in both languages."""
    doc = {
        "key": key,
        "title": {"zh": key, "en": key},
        "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "required": ["note"], "properties": {"note": {"type": "string", "maxLength": 500}}},
        "uiSchema": {"ui:order": ["note"],
                     "note": {"ui:title": {"zh": "说明", "en": "Note"}, "ui:widget": "textarea"}},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
