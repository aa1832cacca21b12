"""Form options that are copies of a catalogue must stay equal to it (``ui:optionsFrom``).

A choice field's ``enum`` is written out in the form file, with a label per option in
``ui:enumNames``, because labels are the form's business. But some of those lists repeat codes
owned elsewhere — the subcategories of ``se_catalogue``, the grid cells of the organisation — and a
code added there and forgotten in the form means reports nobody can file. A field that declares its
source is compared with it at deploy, in both directions::

    "ui:optionsFrom": {"decision": "se_catalogue", "input": "category"}   # the input's inputValues
    "ui:optionsFrom": {"org": "grid_cell"}                                 # department/street/community/grid_cell

The form keeps its own enum (the source is not copied into it at run time): what a running case
accepts is what its deployed form version says, and a mismatch is refused before deployment instead.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from engine.decisions.feel import format_value
from engine.decisions.model import DecisionTable, InputClause
from engine.errors import Problem
from engine.forms.widgets import enum_values
from engine.org.config import OrgConfig

OPTIONS_FROM = "ui:optionsFrom"


def _listing(values: list[Any]) -> str:
    return ", ".join(format_value(v) for v in values)


class Why(NamedTuple):
    """Why a source of options cannot be read: the problem line's message, key and params. A decision's id
    (`decision`) comes with its name (`decision_name`), an input the form names (`input`) with the column's
    label (`input_name`), and a table's inputs with their labels (`input_titles`): the studio words the line
    with the names (web/problem_texts.py), the message keeps the codes for the CLI."""

    message: str
    key: str
    params: dict[str, Any]


def _input_names(clause: InputClause) -> str:
    """How a form may name the input: its label, and its expression (the variable) when that differs."""
    expression = clause.expression.strip()
    if clause.label and expression and expression != clause.label:
        return f"'{clause.label}' ({expression})"
    return f"'{clause.title}'"


def _input_clause(table: DecisionTable, name: str) -> InputClause | None:
    """The input a form calls ``name`` (its label, expression or id)."""
    found = (i.clause for i in table.compiled.inputs) if table.compiled is not None else table.inputs
    return next((c for c in found if name in (c.label, c.expression.strip(), c.id)), None)


def _input_domain(table: DecisionTable, name: str) -> tuple[list[Any] | None, Why | None]:
    """The enumerated inputValues of the input called ``name`` (label, expression or id), or why not."""
    compiled = table.compiled
    if compiled is None:
        return None, Why(f"{table.ref} did not compile", key="options.decision_not_compiled",
                         params={"decision": table.id, "decision_name": table.name or ""})
    for compiled_input in compiled.inputs:
        clause = compiled_input.clause
        if name in (clause.label, clause.expression.strip(), clause.id):
            if compiled_input.domain is None:
                return None, Why(f"{table.ref} input '{name}' lists no inputValues of literals, "
                                 "so there are no options to compare with", key="options.input_no_values",
                                 params={"decision": table.id, "decision_name": table.name or "", "input": name,
                                         "input_name": clause.title})
            return compiled_input.domain, None
    titles = ", ".join(_input_names(i.clause) for i in compiled.inputs) or "none"
    return None, Why(f"{table.ref} has no input '{name}' (its inputs: {titles})", key="options.no_such_input",
                     params={"decision": table.id, "decision_name": table.name or "", "input": name,
                             "inputs": titles, "input_titles": [i.clause.title for i in compiled.inputs]})


class _Sources:
    """The option lists fields can name, from the tables the DMN checks parsed."""

    def __init__(self, decision_paths: Mapping[str, str], dmn_tables: Mapping[str, Sequence[DecisionTable]],
                 org: OrgConfig | None, broken_decisions: Mapping[str, str]) -> None:
        self._decision_paths = decision_paths
        self._dmn_tables = dmn_tables
        self._org = org
        self._broken_decisions = broken_decisions

    def unchecked_because(self, spec: Mapping[str, Any]) -> str | None:
        """Why the source cannot be compared, when its own file already says why (so nothing is reported)."""
        if "org" in spec:
            return "the organisation cannot be read" if self._org is None else None
        return self._broken_decisions.get(spec.get("decision", ""))

    def table(self, decision: str) -> DecisionTable | None:
        path = self._decision_paths.get(decision)  # only decisions of files without DMN problems
        if path is None:
            return None
        return next((t for t in self._dmn_tables.get(path, ()) if t.id == decision), None)

    def options(self, spec: Mapping[str, Any]) -> tuple[list[Any] | None, str, Why | None]:
        """(values, what the source is called, or the reason it cannot be read)."""
        if "org" in spec:
            kind = spec["org"]
            name = f"the organisation's {kind} codes"
            codes = sorted(self._org.codes_of(kind)) if self._org is not None else []
            if not codes:
                return None, name, Why(f"ui:optionsFrom names {kind} codes, but the organisation defines none",
                                       key="options.org_has_none", params={"kind": kind})
            return codes, name, None
        decision, input_name = spec["decision"], spec["input"]
        name = f"decision '{decision}' input '{input_name}'"
        table = self.table(decision)
        if table is None:
            return None, name, Why(f"ui:optionsFrom names decision '{decision}', which no DMN file defines",
                                   key="options.unknown_decision", params={"decision": decision})
        values, reason = _input_domain(table, input_name)
        return values, name, reason


def _field_problems(path: str, name: str, field_schema: Mapping[str, Any], widget: str,
                    spec: Mapping[str, Any], sources: _Sources) -> Iterator[Problem]:
    if sources.unchecked_because(spec):
        return  # the source's own file has a problem line; comparing with it would only repeat that
    source, source_name, reason = sources.options(spec)
    if source is None:
        why = reason or Why(f"cannot read {source_name}", key="options.unreadable", params={"source": source_name})
        yield Problem(path, name, why.message, key=why.key, params=why.params)
        return
    form_values = enum_values(field_schema, widget) or []
    missing = [v for v in source if v not in form_values]
    extra = [v for v in form_values if v not in source]
    # One line per direction, listing every code: the fix for each is the same edit in one place.
    org_kind = spec.get("org")
    # the decision and its input by the names the studio shows them by
    table = sources.table(spec["decision"]) if not org_kind else None
    clause = _input_clause(table, spec["input"]) if table is not None else None
    decision_name = (table.name or "") if table is not None else ""
    input_name = clause.title if clause is not None else ""
    if missing:
        message = (f"options missing from the form, present in {source_name}: {_listing(missing)} "
                   "(add them to the enum, with labels in ui:enumNames)")
        if org_kind:
            yield Problem(path, name, message, key="options.missing_from_org",
                          params={"kind": org_kind, "missing_codes": missing})
        else:
            yield Problem(path, name, message, key="options.missing_from_decision",
                          params={"decision": spec["decision"], "input": spec["input"],
                                  "decision_name": decision_name, "input_name": input_name,
                                  "missing": [format_value(v) for v in missing]})
    if extra:
        message = f"options in the form but not in {source_name}: {_listing(extra)}"
        if org_kind:
            yield Problem(path, name, message, key="options.not_in_org",
                          params={"kind": org_kind, "extra": [format_value(v) for v in extra]})
        else:
            yield Problem(path, name, message, key="options.not_in_decision",
                          params={"decision": spec["decision"], "input": spec["input"],
                                  "decision_name": decision_name, "input_name": input_name,
                                  "extra": [format_value(v) for v in extra]})


def check_form_options(forms: Mapping[str, Any], form_paths: Mapping[str, str], decision_paths: Mapping[str, str],
                       dmn_tables: Mapping[str, Sequence[DecisionTable]], org: OrgConfig | None,
                       broken_decisions: Mapping[str, str] | None = None) -> list[Problem]:
    """Problems of every field with ``ui:optionsFrom`` in the forms that loaded (others have their own).

    A source that cannot be read because its own file is broken (a decision of a DMN file with problems,
    an organisation that cannot be read, ``org`` None) is not compared: that file's line says why."""
    sources = _Sources(decision_paths, dmn_tables, org, broken_decisions or {})
    problems: list[Problem] = []
    for key, form in sorted(forms.items()):
        for field_spec in form.fields:
            spec = form.ui_schema.get(field_spec.name, {}).get(OPTIONS_FROM)
            if spec is not None:
                problems.extend(_field_problems(form_paths[key], field_spec.name, field_spec.schema,
                                                field_spec.widget, spec, sources))
    return problems
