"""What analysts and district staff read in a decision table is Chinese: every column label and every rule
note (description, annotation) of the shipped decisions and of the analyst guide's worked examples, and every
rule carries such a note, so a reader of a table learns what each row is for without decoding its cells. The codes
(ids, output names, input expressions) stay what processes, forms and tests name, and a form names a
decision's input by one of those codes, never by its label, so rewording a label breaks nothing."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.decisions.loader import load_dmn
from engine.decisions.model import DecisionTable, Rule

CJK = re.compile(r"[\u4e00-\u9fff]")
FIXTURES = Path(__file__).parent / "fixtures"
ROOTS = [PROJECT_ROOT, *sorted(p for p in (PROJECT_ROOT / "docs" / "examples").iterdir() if p.is_dir())]
DMN_FILES = [p for root in ROOTS for p in sorted((root / "rules").glob("*.dmn"))]


def _tables(path: Path) -> list[DecisionTable]:
    tables, problems = load_dmn(path.read_bytes(), path.name)
    assert tables and not problems, problems
    return tables


def has_note(rule: Rule) -> bool:
    """The rule says what it is for: its description or one of its annotation entries is not blank (the
    checks below then require every note it has to be Chinese)."""
    return any(note and note.strip() for note in (rule.description, *rule.annotations))


def not_chinese(table: DecisionTable) -> list[str]:
    """Each label or note of the table a person reads that is missing or has no Chinese in it, and each rule
    with no note at all."""
    found = []
    for clause in table.inputs:
        if not (clause.label and CJK.search(clause.label)):
            found.append(f"input {clause.id} label {clause.label!r}")
    for output in table.outputs:
        if not (output.label and CJK.search(output.label)):
            found.append(f"output {output.id} label {output.label!r}")
    for rule in table.rules:
        if not has_note(rule):
            found.append(f"rule {rule.id} has no note")
        if rule.description is not None and not CJK.search(rule.description):
            found.append(f"rule {rule.id} description {rule.description!r}")
        found += [f"rule {rule.id} annotation {note!r}" for note in rule.annotations if note and not CJK.search(note)]
    return found


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_shipped_decision_labels_its_columns_and_notes_every_rule_in_chinese(path: Path) -> None:
    for table in _tables(path):
        assert not_chinese(table) == [], table.ref


def test_an_english_or_missing_label_or_note_is_found() -> None:
    table = next(t for t in _tables(FIXTURES / "route_department.dmn") if t.id == "route_department")
    found = not_chinese(table)
    assert "input in_category label 'category'" in found and "input in_street label 'street'" in found
    text = (PROJECT_ROOT / "rules" / "emergency_grade.dmn").read_text(encoding="utf-8")
    text = text.replace(' label="死亡人数"', "").replace("<description>一般：其他情形</description>",
                                                       "<description>everything else</description>")
    (table,) = load_dmn(text.encode("utf-8"), "emergency_grade.dmn")[0]
    assert not_chinese(table) == ["input in_casualties label None", "rule g4_other description 'everything else'"]


@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_rule_without_a_note_or_with_an_empty_one_is_found(note: str | None) -> None:
    text = (PROJECT_ROOT / "rules" / "emergency_reporting.dmn").read_text(encoding="utf-8")
    old = "<description>Ⅳ级：6小时内书面报告</description>"
    assert old in text
    text = text.replace(old, "" if note is None else f"<description>{note}</description>")
    (table,) = load_dmn(text.encode("utf-8"), "emergency_reporting.dmn")[0]
    assert "rule r4 has no note" in not_chinese(table)


def test_a_chinese_annotation_entry_is_a_note_when_the_rule_has_no_description() -> None:
    text = (PROJECT_ROOT / "rules" / "social_event_catalogue.dmn").read_text(encoding="utf-8")
    text = re.sub(r"<description>.*?</description>", "", text)
    (table,) = load_dmn(text.encode("utf-8"), "social_event_catalogue.dmn")[0]
    assert table.rules and all(rule.description is None for rule in table.rules)
    assert not any(entry.endswith("has no note") for entry in not_chinese(table))


def _options_from(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        spec = node.get("ui:optionsFrom")
        if isinstance(spec, dict) and "decision" in spec:
            yield spec
        for value in node.values():
            yield from _options_from(value)


def _decision_references() -> list[tuple[str, str, str]]:
    found = []
    for root in ROOTS:
        for form in sorted((root / "forms").glob("*.json")):
            doc = json.loads(form.read_text(encoding="utf-8"))
            found += [(str(form.relative_to(PROJECT_ROOT)), spec["decision"], spec["input"])
                      for spec in _options_from(doc.get("uiSchema", {}))]
    return found


def test_forms_name_a_decision_input_by_its_expression_or_id_and_it_exists() -> None:
    tables = {table.id: table for path in DMN_FILES for table in _tables(path)}
    references = _decision_references()
    assert {(form, decision) for form, decision, _ in references} >= {
        ("forms/se_report.json", "se_catalogue"), ("forms/se_register.json", "se_catalogue"),
        ("docs/examples/stall_permit/forms/stall_apply.json", "stall_rules")}
    for form, decision, name in references:
        assert decision in tables, (form, decision)
        codes = {code for clause in tables[decision].inputs for code in (clause.expression.strip(), clause.id)}
        assert name in codes, f"{form}: input {name!r} of {decision} is not one of its codes {sorted(codes)}"


@pytest.mark.parametrize("path", DMN_FILES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_shipped_decision_file_is_named_in_chinese_for_its_requirements_diagram(path: Path) -> None:
    """The decision editor's DRD names the file's decisions by the definitions' name and never shows their id
    (a code), so every shipped file carries a Chinese name."""
    root = etree.fromstring(path.read_bytes())
    assert etree.QName(root).localname == "definitions"
    name = root.get("name") or ""
    assert CJK.search(name), f"{path.name}: definitions name {name!r}"
    assert name != root.get("id")
