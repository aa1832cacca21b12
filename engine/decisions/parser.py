"""Read DMN 1.1/1.2/1.3 XML into DecisionTable models (not yet compiled).

Structural problems (bad XML, unknown hit policy, rows of the wrong width) are collected as
Problems instead of raised one at a time, so an analyst sees everything wrong in one go.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.errors import Problem, parse_params, quoted, xml_reason

from .model import Aggregation, DecisionTable, HitPolicy, InputClause, OutputClause, Rule

DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
}

# Uploaded through the studio, so: no entity expansion, no network, no DTD loading (XXE).
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, huge_tree=False
)


@dataclass
class ParseResult:
    tables: list[DecisionTable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    def __init__(self, ns: str, filename: str) -> None:
        self.ns = ns
        self.filename = filename
        self.problems: list[Problem] = []

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def child(self, node: etree._Element, tag: str) -> etree._Element | None:
        return node.find(self.q(tag))

    def children(self, node: etree._Element, tag: str) -> list[etree._Element]:
        return node.findall(self.q(tag))

    def text_of(self, node: etree._Element | None) -> str | None:
        """The <text> child of an entry/expression; None when the element itself is absent."""
        if node is None:
            return None
        text = node.find(self.q("text"))
        return (text.text or "").strip() if text is not None else ""

    def problem(self, element: str | None, message: str, node: etree._Element | None = None, *, key: str,
                params: dict[str, Any] | None = None) -> None:
        line = node.sourceline if node is not None else None
        if line:
            message = f"{message} (line {line})"
        self.problems.append(Problem(self.filename, element, message, key=key, params={**(params or {}), "line": line}))

    # --- decisions ----------------------------------------------------------------------

    def decision(self, node: etree._Element) -> DecisionTable | None:
        decision_id = node.get("id")
        if not decision_id:
            self.problem(None, "a decision has no id", node, key="decision.no_id")
            return None
        ref = f"decision '{decision_id}'"
        table = self.child(node, "decisionTable")
        if table is None:
            self.problem(ref, "only decision tables are supported (no decisionTable found)", node, key="decision.not_a_table")
            return None
        hit_policy = self.hit_policy(ref, table)
        aggregation = self.aggregation(ref, table, hit_policy)
        inputs = tuple(self.input_clause(ref, i, n) for n, i in enumerate(self.children(table, "input"), 1))
        outputs = self.outputs(ref, decision_id, table)
        rules = tuple(
            self.rule(ref, r, row, len(inputs), len(outputs))
            for row, r in enumerate(self.children(table, "rule"), 1)
        )
        if not outputs:
            self.problem(ref, "the decision table has no output column", table, key="decision.no_output")
        if hit_policy is None or (table.get("aggregation") and aggregation is None):
            return None
        return DecisionTable(
            id=decision_id,
            name=node.get("name"),
            file=self.filename,
            hit_policy=hit_policy,
            aggregation=aggregation,
            inputs=inputs,
            outputs=outputs,
            rules=rules,
            table_id=table.get("id"),
            line=node.sourceline,
            annotation_names=tuple(a.get("name") or "" for a in self.children(table, "annotation")),
        )

    def hit_policy(self, ref: str, table: etree._Element) -> HitPolicy | None:
        raw = table.get("hitPolicy", "UNIQUE")  # DMN's default
        try:
            return HitPolicy(raw.strip().upper())
        except ValueError:
            allowed = ", ".join(p.value for p in HitPolicy)
            self.problem(ref, f"unknown hit policy {raw!r} (allowed: {allowed})", table, key="decision.unknown_hit_policy",
                         params={"value": raw, "allowed": allowed})
            return None

    def aggregation(self, ref: str, table: etree._Element, hit_policy: HitPolicy | None) -> Aggregation | None:
        raw = table.get("aggregation")
        if raw is None:
            return None
        try:
            aggregation = Aggregation(raw.strip().upper())
        except ValueError:
            allowed = ", ".join(a.value for a in Aggregation)
            self.problem(ref, f"unknown aggregation {raw!r} (allowed: {allowed})", table, key="decision.unknown_aggregation",
                         params={"value": raw, "allowed": allowed})
            return None
        if hit_policy is not None and hit_policy is not HitPolicy.COLLECT:
            self.problem(ref, f"aggregation {raw} is only allowed with hit policy COLLECT, not {hit_policy}", table,
                         key="decision.aggregation_not_collect", params={"value": raw, "hit_policy": str(hit_policy)})
        return aggregation

    def input_clause(self, ref: str, node: etree._Element, column: int) -> InputClause:
        expression_node = self.child(node, "inputExpression")
        expression = self.text_of(expression_node) or ""
        input_id = node.get("id") or f"input{column}"
        if not expression:
            self.problem(f"{ref} column {column}", "input has no inputExpression text", node, key="decision.input_no_expression")
        return InputClause(
            id=input_id,
            label=node.get("label"),
            expression=expression,
            type_ref=expression_node.get("typeRef") if expression_node is not None else None,
            allowed_values=self.text_of(self.child(node, "inputValues")),
            line=node.sourceline,
        )

    def outputs(self, ref: str, decision_id: str, table: etree._Element) -> tuple[OutputClause, ...]:
        nodes = self.children(table, "output")
        outputs: list[OutputClause] = []
        for column, node in enumerate(nodes, 1):
            name = node.get("name")
            if not name:
                if len(nodes) > 1:
                    self.problem(f"{ref} output column {column}", "outputs of a multi-output table need a name", node,
                                 key="decision.output_no_name")
                # DMN: a single unnamed output is the decision's own result.
                name = decision_id
            outputs.append(
                OutputClause(
                    id=node.get("id") or f"output{column}",
                    name=name,
                    label=node.get("label"),
                    type_ref=node.get("typeRef"),
                    output_values=self.text_of(self.child(node, "outputValues")),
                    line=node.sourceline,
                )
            )
        names = [o.name for o in outputs]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.problem(ref, f"output name {quoted(name)} is used by more than one column", table,
                         key="decision.output_name_twice", params={"output": name})
        return tuple(outputs)

    def description(self, node: etree._Element) -> str | None:
        found = self.child(node, "description")
        return (found.text or "").strip() or None if found is not None else None

    def rule(self, ref: str, node: etree._Element, row: int, n_inputs: int, n_outputs: int) -> Rule:
        rule = Rule(
            id=node.get("id") or f"row{row}",
            row=row,
            input_entries=tuple(self.text_of(e) or "" for e in self.children(node, "inputEntry")),
            output_entries=tuple(self.text_of(e) or "" for e in self.children(node, "outputEntry")),
            description=self.description(node),
            annotations=tuple(self.text_of(e) or "" for e in self.children(node, "annotationEntry")),
            line=node.sourceline,
        )
        for side, (what, found, wanted) in enumerate((
            ("input entries", len(rule.input_entries), n_inputs),
            ("output entries", len(rule.output_entries), n_outputs),
        )):
            if found != wanted:
                self.problem(f"{ref} {rule.ref}", f"has {found} {what}, the table has {wanted} columns", node,
                             key=("decision.rule_inputs", "decision.rule_outputs")[side], params={"found": found, "wanted": wanted})
        return rule


def read_dmn(source: bytes, filename: str) -> ParseResult:
    """Parse ``source``; the tables returned are only those free of structural problems."""
    result = ParseResult()
    try:
        root = etree.fromstring(source, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        result.problems.append(Problem(filename, None, f"not well-formed XML: {xml_reason(exc)}", key="file.not_xml",
                                       params=parse_params(exc)))
        return result
    ns = etree.QName(root).namespace or ""
    if ns not in DMN_NAMESPACES or etree.QName(root).localname != "definitions":
        known = ", ".join(f"{v} ({k})" for k, v in DMN_NAMESPACES.items())
        result.problems.append(Problem(filename, None, f"not a DMN definitions document; expected one of {known}",
                                       key="decision.not_dmn", params={"expected": known}))
        return result
    reader = _Reader(ns, filename)
    seen: set[str] = set()
    for node in reader.children(root, "decision"):
        problems_before = len(reader.problems)
        table = reader.decision(node)
        if table is not None and table.id in seen:
            reader.problem(table.ref, "decision id is used twice in this file", node, key="decision.id_twice_in_file",
                           params={"decision": table.id, "decision_name": table.name or ""})
            continue
        if table is not None:
            seen.add(table.id)
            if len(reader.problems) == problems_before:
                result.tables.append(table)
    if not reader.children(root, "decision"):
        reader.problem(None, "the file defines no decision", key="decision.none_in_file")
    result.problems.extend(reader.problems)
    return result
