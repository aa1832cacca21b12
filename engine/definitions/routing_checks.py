"""Routing matrices (权责清单) must name exactly one responsible department for every case they can see.

A decision table is a *routing matrix* when one of its outputs is named ``responsible_department``
(the data key the case's department column is filled from, docs/bpmn-conventions.md). Generic DMN
validation only checks gaps when every column enumerates its values and says nothing about which
departments exist; for a routing matrix a gap or an unknown department means a case nobody handles,
so these checks are stricter and name the rows involved.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from engine.decisions.analysis import find_gaps, format_example
from engine.decisions.compiler import CompiledDecision
from engine.decisions.feel import NOT_A_LITERAL, format_value
from engine.decisions.model import DecisionTable, HitPolicy
from engine.errors import Problem
from engine.org.config import OrgConfig

ROUTING_OUTPUT = "responsible_department"
MAX_GAPS_REPORTED = 20


def is_routing_matrix(table: DecisionTable) -> bool:
    return ROUTING_OUTPUT in table.output_names


def is_street_column(expression: str) -> bool:
    return expression.strip() == "street" or expression.strip().endswith(".street")


def _rows(rules: Sequence[Any]) -> str:
    return ", ".join(r.rule.ref for r in rules) or "none"


def _gap_problems(table: DecisionTable, compiled: CompiledDecision, streets: list[str]) -> Iterator[Problem]:
    # The street column is checked against the organisation, not only against what the table declares:
    # a street added to organisation.yaml must not silently fall through the matrix.
    domains: dict[str, list[Any]] = {}
    for compiled_input in compiled.inputs:
        clause = compiled_input.clause
        if is_street_column(clause.expression) and streets:
            declared = compiled_input.domain or []
            domains[clause.id] = list(dict.fromkeys([*declared, *streets]))
    gaps = find_gaps(compiled, domains, limit=MAX_GAPS_REPORTED + 1)
    first = compiled.inputs[0].clause.title
    for gap in gaps[:MAX_GAPS_REPORTED]:
        value = gap[first]
        # Rows that already route this value of the first column are where the missing row belongs.
        near = [r for r in compiled.rules if r.cells[0].tests.is_static and r.cells[0].matches(value, {})]
        yield Problem(table.file, f"{table.ref}",
                      f"routing matrix has a gap: no rule routes {format_example(gap)} "
                      f"(rows for {first} {format_value(value)}: {_rows(near)})",
                      key="routing.gap", params={"example": format_example(gap), "column": first,
                                                 "value": format_value(value), "rows": _rows(near)})
    if len(gaps) > MAX_GAPS_REPORTED:
        yield Problem(table.file, table.ref, "... and more unrouted combinations", key="routing.more_gaps")


def check_routing_table(table: DecisionTable, org: OrgConfig) -> Iterator[Problem]:
    compiled = table.compiled
    if compiled is None:
        return
    if table.hit_policy is not HitPolicy.UNIQUE:
        yield Problem(table.file, table.ref,
                      f"routing matrix must use hit policy UNIQUE (one department per case), not {table.hit_policy}",
                      key="routing.not_unique", params={"hit_policy": str(table.hit_policy)})
    departments = org.codes_of("department")
    streets = sorted(org.codes_of("street"))
    open_columns = [i.clause.title for i in compiled.inputs if i.domain is None]
    for title in open_columns:
        yield Problem(table.file, f"{table.ref} column '{title}'",
                      "routing matrix input declares no inputValues; list every value so gaps can be checked",
                      key="routing.no_input_values")
    for compiled_input in compiled.inputs:
        if is_street_column(compiled_input.clause.expression) and compiled_input.domain is not None and streets:
            unknown = [s for s in compiled_input.domain if s not in streets]
            missing = [s for s in streets if s not in compiled_input.domain]
            if unknown:
                yield Problem(table.file, f"{table.ref} column '{compiled_input.clause.title}'",
                              f"inputValues name streets the organisation does not have: {', '.join(map(str, unknown))}",
                              key="routing.unknown_streets", params={"unknown": [str(s) for s in unknown]})
            if missing:
                yield Problem(table.file, f"{table.ref} column '{compiled_input.clause.title}'",
                              f"inputValues miss streets of the organisation: {', '.join(missing)}",
                              key="routing.missing_streets", params={"missing_units": missing})
    index = table.output_names.index(ROUTING_OUTPUT)
    for rule in compiled.rules:
        cell = rule.outputs[index]
        if cell.literal is NOT_A_LITERAL or not isinstance(cell.literal, str):
            yield Problem(table.file, f"{table.ref} {rule.rule.ref}",
                          "responsible_department must be a department code in quotes, e.g. \"huanwei\"",
                          key="routing.department_not_literal")
        elif departments and cell.literal not in departments:
            yield Problem(table.file, f"{table.ref} {rule.rule.ref}",
                          f"responsible_department '{cell.literal}' is not a department of the organisation",
                          key="routing.unknown_department", params={"department": str(cell.literal)})
    if not open_columns and table.hit_policy.single_result:
        yield from _gap_problems(table, compiled, streets)


def check_routing_matrices(dmn_tables: Mapping[str, Sequence[DecisionTable]], org: OrgConfig | None) -> list[Problem]:
    """Problems of every routing matrix among the parsed DMN files (overlaps are DMN's UNIQUE check).

    Files with DMN problems are checked too: a matrix with an overlap may also have a gap. Without an
    organisation (its file cannot be read) codes are not compared with it.
    """
    org = org or OrgConfig()
    problems: list[Problem] = []
    for tables in dmn_tables.values():
        for table in tables:
            if is_routing_matrix(table):
                problems.extend(check_routing_table(table, org))
    return problems
