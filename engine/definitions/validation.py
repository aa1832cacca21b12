"""Validate a bundle of definitions together: each file alone, then the names they use of each other."""
from __future__ import annotations

import json
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
from engine.definitions.option_checks import check_form_options
from engine.definitions.routing_checks import check_routing_matrices
from engine.errors import Problem
from engine.org.abilities import Ability
from engine.org.config import OrgConfig, organisation_from_files
from engine.runtime.parsing import make_parser

BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"


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


def _parse_xml(path: str, text: str, problems: list[Problem]) -> etree._Element | None:
    try:
        return etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(path, None, f"not well-formed XML: {exc}"))
        return None


def _check_forms(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("form").items():
        found = forms.validate_form_definition(text, path)
        problems.extend(found)
        if not found:
            form = forms.load_form(text, path)
            if form.key in catalogue.forms:
                problems.append(Problem(path, form.key, "another form file already uses this key"))
            catalogue.forms[form.key] = form
            catalogue.form_paths[form.key] = path


def _check_decisions(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("dmn").items():
        try:
            tables, found = load_dmn(text.encode("utf-8"), path)
        except Exception as exc:  # noqa: BLE001 - as for diagrams: one problem line, never a crash
            problems.append(_unexpected(path, exc))
            continue
        catalogue.dmn_tables[path] = tables
        problems.extend(found)
        if found:
            continue
        for table in tables:
            if table.id in catalogue.decisions:
                problems.append(Problem(path, table.id, f"decision id also defined in {catalogue.decisions[table.id]}"))
            catalogue.decisions[table.id] = path


def _check_tables(bundle: Bundle, problems: list[Problem]) -> None:
    for path, text in bundle.of_kind("table").items():
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problems.append(Problem(path, None, f"not valid YAML: {' '.join(str(exc).split())}"))
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
            problems.append(Problem(path, None, f"not valid JSON: {exc}"))


def _check_org(bundle: Bundle, catalogue: Catalogue, known_org: OrgConfig | None, problems: list[Problem]) -> None:
    try:
        catalogue.org = organisation_from_files(bundle.files)
    except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
        problems.append(Problem("rules/organisation.yaml", None, f"cannot read the organisation: {exc}"))
    if known_org is not None:
        catalogue.org = known_org.merge(catalogue.org)


def _check_processes(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    refs = References(set(catalogue.forms), set(catalogue.decisions), catalogue.org.lane_codes,
                      set(catalogue.org.roles), catalogue.org.roles_that_may(Ability.DECIDE_EXTENSIONS))
    parser = make_parser()
    parsed_any: list[tuple[str, list[str]]] = []
    for path, text in bundle.of_kind("bpmn").items():
        root = _parse_xml(path, text, problems)
        if root is None:
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
                problems.append(Problem(path, key, f"process id also defined in {catalogue.processes[key].path}"))
                continue
            if process.get("isExecutable", "true") == "false":
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
                problems.append(Problem(path, key, f"cannot be parsed: {exc}"))


def _check_sla_policies(bundle: Bundle, catalogue: Catalogue, problems: list[Problem]) -> None:
    from engine.limits.checks import check_sla_policies

    paths = {key: info.path for key, info in catalogue.processes.items()}
    problems.extend(check_sla_policies(bundle.files, paths))


def _unexpected(path: str, exc: Exception) -> Problem:
    if isinstance(exc, RecursionError):
        return Problem(path, None, "nested too deeply to check; split long expressions into smaller steps")
    return Problem(path, None, f"cannot be checked: {type(exc).__name__}: {' '.join(str(exc).split())}"[:500])


def _spiff_problem(path: str, exc: Exception) -> Problem:
    element = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", "")
    message = " ".join(str(getattr(exc, "message", None) or exc).split())
    if line:
        message = f"{message} (line {line})"
    return Problem(getattr(exc, "file_name", None) or path, element, message)


def validate_bundle(bundle: Bundle, known_org: OrgConfig | None = None) -> tuple[list[Problem], Catalogue]:
    """Every problem in the bundle, each naming its file and element; an empty list means deployable."""
    problems: list[Problem] = []
    catalogue = Catalogue()
    _check_org(bundle, catalogue, known_org, problems)
    _check_forms(bundle, catalogue, problems)
    _check_decisions(bundle, catalogue, problems)
    problems.extend(check_routing_matrices(catalogue.dmn_tables, catalogue.org))
    problems.extend(check_form_options(catalogue.forms, catalogue.form_paths, catalogue.decisions,
                                       catalogue.dmn_tables, catalogue.org))
    _check_tables(bundle, problems)
    _check_processes(bundle, catalogue, problems)
    _check_sla_policies(bundle, catalogue, problems)
    return problems, catalogue
