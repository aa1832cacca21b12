"""Form options declared with ui:optionsFrom must equal their source: the catalogue's categories, the
organisation's grid cells. `casegrid validate` names the file, the field and the codes on each side."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.forms import validate_form_definition
from tests.clitools import Cli as CliRunner

REPORT = "forms/se_report.json"
REGISTER = "forms/se_register.json"
CATALOGUE = "rules/social_event_catalogue.dmn"


def _shipped(path: str) -> str:
    return (PROJECT_ROOT / path).read_text(encoding="utf-8")


def _form(path: str) -> dict[str, Any]:
    return json.loads(_shipped(path))


def _without_option(doc: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    index = doc["schema"]["properties"][field]["enum"].index(value)
    del doc["schema"]["properties"][field]["enum"][index]
    del doc["uiSchema"][field]["ui:enumNames"][index]
    return doc


def _catalogue_with_0111() -> str:
    """The analyst guide's step 1 alone: 0111 in the catalogue's inputValues and a rule, no form edited."""
    text = _shipped(CATALOGUE).replace('"0110","0201"', '"0110","0111","0201"', 1)
    rule = re.search(r'      <rule id="c0110">.*?</rule>\n', text, flags=re.S)
    assert rule is not None
    new_rule = rule.group(0).replace('"c0110"', '"c0111"').replace('"0110"', '"0111"')
    return text.replace(rule.group(0), rule.group(0) + new_rule, 1)


def _problems(changed: dict[str, str]) -> list[str]:
    problems, _catalogue = validate_bundle(load_root(PROJECT_ROOT).overlay(Bundle(changed)))
    return [str(p) for p in problems]


def test_the_shipped_forms_declare_their_option_sources_and_the_bundle_validates() -> None:
    assert _form(REPORT)["uiSchema"]["category"]["ui:optionsFrom"] == {"decision": "se_catalogue", "input": "category"}
    assert _form(REPORT)["uiSchema"]["grid_cell"]["ui:optionsFrom"] == {"org": "grid_cell"}
    assert _form(REGISTER)["uiSchema"]["category"]["ui:optionsFrom"] == {"decision": "se_catalogue", "input": "category"}
    assert _problems({}) == []


def test_a_category_removed_from_a_form_is_reported_as_missing_naming_file_field_and_code() -> None:
    doc = _without_option(_form(REPORT), "category", "0105")
    problems = _problems({REPORT: json.dumps(doc, ensure_ascii=False)})
    assert problems == [f"{REPORT}: category: options missing from the form, present in decision 'se_catalogue' "
                        "input 'category': \"0105\" (add them to the enum, with labels in ui:enumNames)"]


def test_a_subcategory_added_only_to_the_catalogue_is_reported_for_every_form_that_lists_categories() -> None:
    problems = _problems({CATALOGUE: _catalogue_with_0111()})
    assert len(problems) == 2
    for path in (REPORT, REGISTER):
        assert any(p.startswith(f"{path}: category: options missing from the form") and '"0111"' in p
                   for p in problems), problems


def test_a_grid_cell_the_organisation_does_not_have_is_reported_as_extra() -> None:
    doc = _form(REPORT)
    doc["schema"]["properties"]["grid_cell"]["enum"].append("S09C01G01")
    doc["uiSchema"]["grid_cell"]["ui:enumNames"].append({"zh": "不存在的网格"})
    problems = _problems({REPORT: json.dumps(doc, ensure_ascii=False)})
    assert problems == [f"{REPORT}: grid_cell: options in the form but not in the organisation's grid_cell codes: "
                        "\"S09C01G01\""]


def test_a_source_that_does_not_exist_is_reported_instead_of_comparing_with_nothing() -> None:
    doc = _form(REPORT)
    doc["uiSchema"]["category"]["ui:optionsFrom"] = {"decision": "se_catalog", "input": "category"}
    doc["uiSchema"]["grid_cell"]["ui:optionsFrom"] = {"org": "grid_cell"}
    register = _form(REGISTER)
    register["uiSchema"]["category"]["ui:optionsFrom"] = {"decision": "se_catalogue", "input": "categry"}
    problems = _problems({REPORT: json.dumps(doc, ensure_ascii=False),
                          REGISTER: json.dumps(register, ensure_ascii=False)})
    assert len(problems) == 2, problems
    assert any(p.startswith(f"{REPORT}: category: ui:optionsFrom names decision 'se_catalog', which no DMN file")
               for p in problems)
    assert f"{REGISTER}: category: decision 'se_catalogue' has no input 'categry' (its inputs: '事件小类' (category))" in problems


def test_ui_options_from_has_one_of_two_shapes_and_only_on_choice_fields() -> None:
    doc = _form(REPORT)
    doc["uiSchema"]["grid_cell"]["ui:optionsFrom"] = {"org": "grid"}
    doc["uiSchema"]["address"]["ui:optionsFrom"] = {"org": "street"}
    problems = [str(p) for p in validate_form_definition(json.dumps(doc), REPORT)]
    assert any(p.startswith(f"{REPORT}: grid_cell: uiSchema/grid_cell/ui:optionsFrom") for p in problems), problems
    doc["uiSchema"]["grid_cell"]["ui:optionsFrom"] = {"org": "grid_cell"}
    problems = [str(p) for p in validate_form_definition(json.dumps(doc), REPORT)]
    assert problems == [f"{REPORT}: address: ui:optionsFrom is only for select, radio and checkboxes, not 'text'"]


def test_casegrid_validate_reports_a_subcategory_added_only_to_the_catalogue(cli: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "social_event_catalogue.dmn"  # replaces the shipped file of the same name
    draft.write_text(_catalogue_with_0111(), encoding="utf-8")
    result = cli("validate", str(draft))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if '"0111"' in line]
    assert sorted(line.split(": ")[1] for line in lines) == [REGISTER, REPORT]
    assert all(": category: options missing from the form" in line for line in lines)


def test_casegrid_validate_reports_a_category_removed_from_a_form(cli: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "se_register.json"
    draft.write_text(json.dumps(_without_option(_form(REGISTER), "category", "0602"), ensure_ascii=False),
                     encoding="utf-8")
    result = cli("validate", str(draft))
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"{REGISTER}: category: options missing from the form, present in decision 'se_catalogue' "
            "input 'category': \"0602\"") in result.stdout + result.stderr


def test_casegrid_validate_accepts_the_shipped_forms(cli: CliRunner) -> None:
    result = cli("validate", "rules/", "forms/", "processes/")
    assert result.returncode == 0, result.stdout + result.stderr
