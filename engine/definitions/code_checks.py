"""Organisation codes written into decision tables and forms must exist in the organisation.

Which column or field holds which kind of code is read from its name, as the routing data keys are
(docs/bpmn-conventions.md): ``department``, ``role``, ``grid_cell``, ``street`` or ``community``, alone
or as the end of a longer name (``assist_department``, ``assisting_departments``, ``target_role``). A code
the organisation lacks routes a task to nobody; it is refused at deploy, in whichever column it hides.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from engine.decisions.feel import NOT_A_LITERAL
from engine.decisions.model import DecisionTable
from engine.definitions.routing_checks import ROUTING_OUTPUT, is_routing_matrix, is_street_column
from engine.errors import Problem
from engine.forms.widgets import enum_values
from engine.org.config import OrgConfig

CODE_KINDS = ("department", "role", "grid_cell", "street", "community")
KIND_WORDS = {"department": "department", "role": "role", "grid_cell": "grid cell", "street": "street",
              "community": "community"}


def code_kind(name: str) -> str | None:
    """The kind of organisation code a column or field called `name` holds, or None."""
    last = name.strip().rsplit(".", 1)[-1].lower()
    for kind in CODE_KINDS:
        for word in (kind, f"{kind}s"):
            if last == word or last.endswith(f"_{word}"):
                return kind
    return None


def _codes(org: OrgConfig, kind: str) -> set[str]:
    return set(org.roles) if kind == "role" else org.codes_of(kind)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _unknown(values: Iterable[Any], known: set[str]) -> list[str]:
    return list(dict.fromkeys(v for value in values for v in _strings(value) if v not in known))


def _listing(codes: list[str]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def check_table_codes(table: DecisionTable, org: OrgConfig) -> Iterator[Problem]:
    compiled = table.compiled
    if compiled is None:
        return
    routing = is_routing_matrix(table)
    for compiled_input in compiled.inputs:
        clause = compiled_input.clause
        kind = code_kind(clause.expression)
        if kind is None or compiled_input.domain is None or (routing and is_street_column(clause.expression)):
            continue  # a routing matrix's street column is compared both ways by the routing checks
        known = _codes(org, kind)
        unknown = _unknown(compiled_input.domain, known) if known else []
        if unknown:
            yield Problem(table.file, f"{table.ref} column '{clause.title}'",
                          f"inputValues name {_listing(unknown)}, which the organisation does not have as "
                          f"{KIND_WORDS[kind]} codes", key="codes.unknown_in_input_values",
                          params={"unknown": unknown, "kind": kind})
    for index, name in enumerate(table.output_names):
        kind = code_kind(name)
        if kind is None or (routing and name == ROUTING_OUTPUT):
            continue  # the routing checks word responsible_department's own lines
        known = _codes(org, kind)
        if not known:
            continue
        for rule in compiled.rules:
            literal = rule.outputs[index].literal
            unknown = [] if literal is NOT_A_LITERAL else _unknown([literal], known)
            if unknown:
                yield Problem(table.file, f"{table.ref} {rule.rule.ref}",
                              f"output {name} names {_listing(unknown)}, which the organisation does not have as "
                              f"{KIND_WORDS[kind]} codes", key="codes.unknown_in_output",
                              params={"output": name, "unknown": unknown, "kind": kind})


def check_decision_codes(dmn_tables: Mapping[str, Sequence[DecisionTable]], org: OrgConfig | None) -> list[Problem]:
    if org is None:
        return []
    return [problem for tables in dmn_tables.values() for table in tables for problem in check_table_codes(table, org)]


def check_form_codes(forms: Mapping[str, Any], form_paths: Mapping[str, str], org: OrgConfig | None,
                     options_from: str) -> list[Problem]:
    """Choice fields named for a kind of code offer only codes of the organisation (fields with a declared
    ``options_from`` source are compared with it in both directions by the option checks instead)."""
    if org is None:
        return []
    problems: list[Problem] = []
    for key, form in sorted(forms.items()):
        for field_spec in form.fields:
            kind = code_kind(field_spec.name)
            if kind is None or options_from in form.ui_schema.get(field_spec.name, {}):
                continue
            known = _codes(org, kind)
            unknown = _unknown(enum_values(field_spec.schema, field_spec.widget) or [], known) if known else []
            if unknown:
                problems.append(Problem(form_paths[key], field_spec.name,
                                        f"options {_listing(unknown)} are not {KIND_WORDS[kind]} codes of the "
                                        "organisation", key="codes.unknown_in_form_options",
                                        params={"unknown": unknown, "kind": kind}))
    return problems
