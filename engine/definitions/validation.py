"""Validate a bundle of definitions together: each file alone, then the names they use of each other."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import forms, sandbox
from engine.decisions.loader import load_dmn
from engine.decisions.model import DecisionTable
from engine.definitions.bpmn_checks import References, check_bpmn, properties_of
from engine.definitions.bundle import Bundle
from engine.definitions.code_checks import check_decision_codes, check_form_codes
from engine.definitions.option_checks import OPTIONS_FROM, check_form_options
from engine.definitions.places import locate
from engine.definitions.routing_checks import check_routing_matrices
from engine.errors import Problem, parse_params, xml_reason, yaml_reason
from engine.forms.parse import key_from_filename
from engine.org.abilities import Ability
from engine.org.config import ORGANISATION_FILE, OrgConfig, organisation_from_files
from engine.reporting.definition import FOLDER as BULLETIN_FOLDER
from engine.reporting.definition import check_bulletins
from engine.runtime.parsing import make_parser
from engine.yamltext import load_yaml

BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"
# The ids a file declares, read from its text when the file is too broken to parse.
DECLARED_DECISION = re.compile(r"<(?:\w+:)?decision\b[^>]*?\sid=\"([^\"]+)\"")
DECLARED_PROCESS = re.compile(r"<(?:\w+:)?process\b[^>]*?\sid=\"([^\"]+)\"")


@dataclass(frozen=True)
class ProcessInfo:
    key: str
    name: str
    family: str | None
    path: str


@dataclass
class Catalogue:
    """What a valid bundle defines, by name."""

    processes: dict[str, ProcessInfo] = field(default_factory=dict)
    forms: dict[str, Any] = field(default_factory=dict)
    form_paths: dict[str, str] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)  # decision id -> DMN path
    # Every table each DMN file parsed into, problems or not: parsed once here, read by later checks.
    dmn_tables: dict[str, list[DecisionTable]] = field(default_factory=dict)  # DMN path -> tables
    org: OrgConfig = field(default_factory=OrgConfig)
    # What files with problems of their own declare (name -> path): a reference to it is not "missing",
    # and checks that need its content are skipped, so one broken file is reported once.
    broken_forms: dict[str, str] = field(default_factory=dict)
    broken_decisions: dict[str, str] = field(default_factory=dict)
    broken_processes: dict[str, str] = field(default_factory=dict)
    org_unreadable: bool = False


def _parse_xml(path: str, text: str, problems: list[Problem]) -> etree._Element | None:
    try:
        return etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(path, None, f"not well-formed XML: {xml_reason(exc)}", key="file.not_xml",
                                params=parse_params(exc)))
        return None


def _check_forms(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("form").items():
        try:
            found = forms.validate_form_definition(text, path)
        except Exception as exc:  # noqa: BLE001 - as for diagrams: one problem line, never a crash
            found = [_unexpected(path, exc)]
        problems.extend(found)
        if found:
            # The form's key is its file name (forms/checks.py), readable however broken the file is.
            catalogue.broken_forms[key_from_filename(path)] = path
        else:
            form = forms.load_form(text, path)
            if form.key in catalogue.forms:
                problems.append(Problem(path, form.key, "another form file already uses this key",
                                        key="form.duplicate_key", params={"form": form.key}))
            catalogue.forms[form.key] = form
            catalogue.form_paths[form.key] = path


DEFINITIONS_ID = re.compile(r"<(?:\w+:)?definitions\b[^>]*?\sid=\"([^\"]+)\"")


def _check_definitions_id(path: str, text: str, tables: list[DecisionTable], problems: list[Problem]) -> None:
    """A decision whose id is also the file's (definitions) id: an XML id names one element, so a DMN editor
    loses the decision and the studio offers no table to edit. Checked on validation and deploy only: the
    decisions of versions already deployed still run (the runtime's parse does not refuse them)."""
    found = DEFINITIONS_ID.search(text)
    for table in tables:
        if found and table.id == found.group(1):
            problems.append(Problem(path, table.id, "decision id is also the id of the file's definitions element",
                                    key="decision.id_is_definitions_id",
                                    params={"decision": table.id, "decision_name": table.name or ""}))


def _check_decisions(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("dmn").items():
        try:
            tables, found = load_dmn(text.encode("utf-8"), path)
        except Exception as exc:  # noqa: BLE001 - as for diagrams: one problem line, never a crash
            tables, found = [], [_unexpected(path, exc)]
        catalogue.dmn_tables[path] = tables
        problems.extend(found)
        if found:
            declared = {table.id for table in tables} | set(DECLARED_DECISION.findall(text))
            catalogue.broken_decisions.update((decision, path) for decision in declared)
            continue
        _check_definitions_id(path, text, tables, problems)
        for table in tables:
            if table.id in catalogue.decisions:
                problems.append(Problem(path, table.id, f"decision id also defined in {catalogue.decisions[table.id]}",
                                        key="decision.duplicate_id",
                                        params={"decision": table.id, "decision_name": table.name or "",
                                                "other_file": catalogue.decisions[table.id]}))
            catalogue.decisions[table.id] = path


def _check_tables(bundle: Bundle, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("table").items():
        if path == ORGANISATION_FILE or path.startswith(BULLETIN_FOLDER):
            continue  # read, and reported, by _check_org and _check_bulletins
        try:
            load_yaml(text)
        except yaml.YAMLError as exc:
            problems.append(Problem(path, None, f"not valid YAML: {yaml_reason(exc)}", key="file.not_yaml",
                                    params=parse_params(exc)))
    # Imported here, as check_sla_policies is: the operations module pulls in case models and durable-rules.
    from engine.rules.operations import OPERATION_NAMES
    from engine.rules.ruleset import FOLDER, validate_ruleset

    for path, text in bundle.of_kind("ruleset").items():
        if path.startswith(FOLDER):
            # The checks engine.events.loading applies when the deployment is loaded: refused here, at
            # deploy, instead of failing every event ingest afterwards.
            problems.extend(validate_ruleset(text, path, set(OPERATION_NAMES)))
            continue
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path, None, f"not valid JSON: {exc}", key="file.not_json",
                                    params=parse_params(exc)))


def _check_org(bundle: Bundle, catalogue: Catalogue, known_org: OrgConfig | None, problems: list[Problem]) -> None:
    try:
        catalogue.org = organisation_from_files(bundle.files)
    except yaml.YAMLError as exc:
        problems.append(Problem(ORGANISATION_FILE, None, f"not valid YAML: {yaml_reason(exc)}", key="file.not_yaml",
                                params=parse_params(exc)))
        catalogue.org_unreadable = known_org is None
    except (ValueError, KeyError, TypeError) as exc:
        reason = " ".join(str(exc).strip("'\"").split())
        problems.append(Problem(ORGANISATION_FILE, None, f"cannot read the organisation: {reason}",
                                key="organisation.unreadable", params={"reason": reason}))
        catalogue.org_unreadable = known_org is None
    if known_org is not None:
        catalogue.org = known_org.merge(catalogue.org)


def _check_processes(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    refs = References(set(catalogue.forms) | set(catalogue.broken_forms),
                      set(catalogue.decisions) | set(catalogue.broken_decisions), catalogue.org.lane_codes,
                      set(catalogue.org.roles), org_known=not catalogue.org_unreadable,
                      deciding_roles=catalogue.org.roles_that_may(Ability.DECIDE_EXTENSIONS),
                      processes={key for text in bundle.of_kind("bpmn").values()
                                 for key in DECLARED_PROCESS.findall(text)})
    parser = make_parser()
    parsed_any: list[tuple[str, list[str]]] = []
    for path, text in bundle.of_kind("bpmn").items():
        root = _parse_xml(path, text, problems)
        if root is None:
            catalogue.broken_processes.update((key, path) for key in DECLARED_PROCESS.findall(text))
            continue
        if next(root.iter(BPMN_PROCESS), None) is None:
            # A collaboration of black-box pools alone (as modelers export a first sketch) deploys nothing.
            problems.append(Problem(path, None, "no process in this file: model the steps inside a pool",
                                    key="process.none_in_file"))
            continue
        try:
            problems.extend(check_bpmn(path, root, refs, sandbox.check_syntax))
        except Exception as exc:  # noqa: BLE001 - a checker that fails on odd input is one problem, not a crash
            problems.append(_unexpected(path, exc))
            continue
        keys = []
        for process in root.iter(BPMN_PROCESS):
            key = process.get("id")
            if key in catalogue.processes:
                problems.append(Problem(path, key, f"process id also defined in {catalogue.processes[key].path}",
                                        key="process.duplicate_id",
                                        params={"process": key, "other_file": catalogue.processes[key].path}))
                continue
            if process.get("isExecutable", "true") == "false":
                problems.append(Problem(path, key, f"process {key} is not executable; set isExecutable=true "
                                                   "in the modeler", key="process.not_executable",
                                        params={"process": key}))
                catalogue.broken_processes[key] = path
                continue
            family = properties_of(process).get("family")
            catalogue.processes[key] = ProcessInfo(key, process.get("name") or key, family, path)
            keys.append(key)
        try:
            parser.add_bpmn_xml(root, filename=path)
            parsed_any.append((path, keys))
        except (ValidationException, SpiffWorkflowException) as exc:
            problems.append(_spiff_problem(path, exc))
    for path, keys in parsed_any:
        for key in keys:
            try:
                parser.get_spec(key)
                parser.get_subprocess_specs(key)
            except (ValidationException, SpiffWorkflowException) as exc:
                problems.append(_spiff_problem(path, exc))
            except Exception as exc:  # noqa: BLE001 - the parser raises bare errors on odd diagrams
                problems.append(Problem(path, key, f"cannot be parsed: {exc}", key="process.unparsable",
                                        params={"reason": str(exc)}))


def _check_sla_policies(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    from engine.limits.checks import check_sla_policies

    paths = {key: info.path for key, info in catalogue.processes.items()}
    problems.extend(check_sla_policies(bundle.files, paths, unchecked=set(catalogue.broken_processes)))


def _unexpected(path: str, exc: Exception) -> Problem:
    if isinstance(exc, RecursionError):
        return Problem(path, None, "nested too deeply to check; split long expressions into smaller steps",
                       key="file.too_deep")
    reason = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:480]
    return Problem(path, None, f"cannot be checked: {reason}", key="file.uncheckable", params={"reason": reason})


def _spiff_problem(path: str, exc: Exception) -> Problem:
    element = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", "")
    reason = " ".join(str(getattr(exc, "message", None) or exc).split())
    message = f"{reason} (line {line})" if line else reason
    return Problem(getattr(exc, "file_name", None) or path, element, message, key="process.parser_refused",
                   params={"reason": reason, "line": line or None})


def validate_bundle(bundle: Bundle, known_org: OrgConfig | None = None) -> tuple[list[Problem], Catalogue]:
    """Every problem in the bundle, each naming its file and element; an empty list means deployable."""
    problems: list[Problem] = []
    catalogue = Catalogue()
    _check_org(bundle, catalogue, known_org, problems)
    _check_forms(bundle, catalogue, problems)
    _check_decisions(bundle, catalogue, problems)
    # Without a readable organisation there is nothing to check codes against: its own line says why.
    org = None if catalogue.org_unreadable else catalogue.org
    problems.extend(check_routing_matrices(catalogue.dmn_tables, org))
    problems.extend(check_form_options(catalogue.forms, catalogue.form_paths, catalogue.decisions,
                                       catalogue.dmn_tables, org, catalogue.broken_decisions))
    problems.extend(check_decision_codes(catalogue.dmn_tables, org))
    problems.extend(check_form_codes(catalogue.forms, catalogue.form_paths, org, OPTIONS_FROM))
    _check_tables(bundle, problems)
    _check_processes(bundle, catalogue, problems)
    _check_sla_policies(bundle, catalogue, problems)
    problems.extend(check_bulletins(bundle.files, org))
    # Each element also as facts the studio names it by in words (engine/definitions/places.py).
    return locate(problems, bundle.files), catalogue
