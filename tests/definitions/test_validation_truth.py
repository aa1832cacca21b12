"""validate tells the truth (issue: validation that tells the truth): a broken file is reported once and
what depends on it is not called missing; every organisation code in a table column, a code-named form
field or a lane is checked; a non-executable process is a problem line; the CLI's validate and deploy
agree on what is already deployed; problem lines hold no Python reprs or doubled punctuation."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.service import deploy
from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionInvalid
from engine.store.database import Database

SHIPPED = load_root(PROJECT_ROOT)
FILES = SHIPPED.files


def _validate(changes: dict[str, str]) -> list[str]:
    problems, _ = validate_bundle(SHIPPED.overlay(Bundle(changes)))
    return [str(p) for p in problems]


def test_a_broken_form_is_reported_once_and_the_task_using_it_is_not_told_it_is_missing() -> None:
    cut = FILES["forms/se_verify.json"][:-30]
    lines = _validate({"forms/se_verify.json": cut})
    assert len(lines) == 1 and lines[0].startswith("forms/se_verify.json: not JSON: ")
    assert f"(line {cut.count(chr(10)) + 1}, column" in lines[0]  # the line the cut ends in


def test_an_unreadable_decision_file_is_one_line_its_callers_and_time_limits_are_not_told_it_is_missing() -> None:
    lines = _validate({"rules/emergency_reporting.dmn": FILES["rules/emergency_reporting.dmn"][:-40]})
    assert lines == ["rules/emergency_reporting.dmn: not well-formed XML: expected '>', line 47, column 11"]


def test_a_decision_file_with_one_bad_table_is_reported_once_and_its_decisions_stay_known() -> None:
    lines = _validate({"rules/emergency_reporting.dmn":
                       FILES["rules/emergency_reporting.dmn"].replace('hitPolicy="', 'hitPolicy="X', 1)})
    assert len(lines) == 1 and "unknown hit policy 'XUNIQUE'" in lines[0]


def test_an_unreadable_organisation_is_one_line_not_one_per_lane_starter_and_code() -> None:
    shipped = FILES["rules/organisation.yaml"]
    lines = _validate({"rules/organisation.yaml": shipped + "\n  : [\n"})
    broken_line = shipped.count("\n") + 2  # the line after the file's last, where the stray ": [" stands
    assert lines == ["rules/organisation.yaml: not valid YAML: expected <block end>, but found ':' "
                     f"(line {broken_line}, column 3)"]


def test_a_department_code_in_any_output_column_is_checked_against_the_organisation() -> None:
    lines = _validate({"rules/licensing_review.dmn":
                       FILES["rules/licensing_review.dmn"].replace('"shijian"', '"shijain"', 1)})
    assert lines == ["rules/licensing_review.dmn: decision 'licensing_review' rule 'food_business__shijian' (row 1): "
                     "output department names 'shijain', which the organisation does not have as department codes"]


def test_a_code_in_a_choice_field_named_for_a_kind_of_code_is_checked_against_the_organisation() -> None:
    lines = _validate({"forms/se_dispatch.json": FILES["forms/se_dispatch.json"].replace('"yuanlin"', '"yuanlim"')})
    assert lines == [
        "forms/se_dispatch.json: override_department: options 'yuanlim' are not department codes of the organisation",
        "forms/se_dispatch.json: assisting_departments: options 'yuanlim' are not department codes of the organisation"]


def test_a_lane_naming_no_role_or_department_is_refused() -> None:
    lines = _validate({"processes/hot_spot.bpmn": FILES["processes/hot_spot.bpmn"].replace(
        'name="supervisor"', 'name="supervisr"')})
    assert lines == ["processes/hot_spot.bpmn: lane_supervisor: lane 'supervisr' is not a role or department of "
                     "the organisation"]


def test_a_process_marked_not_executable_is_a_problem_line_on_validate_and_on_deploy(db: Database) -> None:
    changed = {"processes/hot_spot.bpmn": FILES["processes/hot_spot.bpmn"].replace(
        'isExecutable="true"', 'isExecutable="false"')}
    line = ("processes/hot_spot.bpmn: hot_spot: process hot_spot is not executable; set isExecutable=true "
            "in the modeler")
    assert _validate(changed) == [line]
    with db.transaction() as session, pytest.raises(DefinitionInvalid) as refused:
        deploy(session, SHIPPED.overlay(Bundle(changed)), actor="analyst")
    assert [str(p) for p in refused.value.problems] == [line]


def test_problem_lines_hold_no_python_reprs_doubled_punctuation_or_line_breaks() -> None:
    deep = "(" * 3000 + "1" + ")" * 3000
    broken = [
        {"forms/se_verify.json": '{"a":' * 100000 + "1" + "}" * 100000},
        {"forms/se_verify.json": FILES["forms/se_verify.json"].replace('"type": "string"', '"type": ["string", "null"]', 1)},
        {"rules/licensing_review.dmn": FILES["rules/licensing_review.dmn"].replace(
            "<outputEntry><text>10</text>", f"<outputEntry><text>{deep}</text>", 1)},
        {"rules/organisation.yaml": FILES["rules/organisation.yaml"] + "\n  : [\n"},
        {"rules/emergency_reporting.dmn": FILES["rules/emergency_reporting.dmn"][:-40]},
        {"processes/hot_spot.bpmn": "<a>" * 300 + "</a>" * 300},
        {"processes/social_event.bpmn": FILES["processes/social_event.bpmn"].replace(
            "rework_count = rework_count + 1", "rework_count = " + deep)},
    ]
    for changes in broken:
        lines = _validate(changes)
        assert lines, changes.keys()
        for line in lines:
            assert not re.search(r"object at 0x|<class |\bNone\b|\[['\"]|\.\.(?!\.)|::|;;|,,|\n|<string>", line), line
            assert len(line) < 400, line


def test_validate_on_the_cli_refuses_a_process_id_already_deployed_under_another_file_as_deploy_does(
        cli_after_init, tmp_path: Path) -> None:
    cli = cli_after_init
    example = PROJECT_ROOT / "docs" / "examples" / "stall_permit"
    assert cli("deploy", str(example)).returncode == 0
    copy = tmp_path / "stall_permit_copy.bpmn"
    shutil.copy(example / "processes" / "stall_permit.bpmn", copy)
    validated, deployed = cli("validate", str(copy)), cli("deploy", str(copy))
    assert validated.returncode != 0 and deployed.returncode != 0
    assert "process id also defined in processes/stall_permit.bpmn" in validated.stderr
    assert validated.stderr == deployed.stderr
