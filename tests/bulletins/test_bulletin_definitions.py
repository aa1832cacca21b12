"""Bulletin definitions are configuration: each mistake in rules/bulletins/*.yaml comes back as one problem
line naming the file and the key, when the files are read, validated or deployed."""
from __future__ import annotations

import pytest
import yaml

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.org.config import organisation_from_files
from engine.reporting.definition import bulletins_from_files, parse_bulletin

PATH = "rules/bulletins/test.yaml"
GOOD = {
    "name": "test_ranking", "title": {"zh": "测试通报", "en": "Test bulletin"}, "period": "monthly",
    "scope": "department", "departments": ["chengguan", "huanwei"],
    "measures": ["received", "closed", "on_time_rate", "overdue"], "rank_by": "on_time_rate",
    "red_list": {"all": [{"measure": "on_time_rate", "at_least": 0.95}]},
    "black_list": {"any": [{"measure": "overdue", "above": 5}]},
    "recipients": {"roles": ["supervisor"]},
}


@pytest.fixture(scope="module")
def org():
    return organisation_from_files(load_root(PROJECT_ROOT).files)


def lines(changes: dict, org=None, drop: tuple[str, ...] = ()) -> list[str]:
    doc = {**GOOD, **changes}
    for key in drop:
        doc.pop(key)
    definition, problems = parse_bulletin(PATH, yaml.safe_dump(doc, allow_unicode=True), org)
    assert (definition is None) == bool(problems)
    return [str(p) for p in problems]


def test_a_complete_definition_is_read_with_its_lists_and_recipients(org) -> None:
    definition, problems = parse_bulletin(PATH, yaml.safe_dump(GOOD, allow_unicode=True), org)
    assert problems == [] and definition is not None
    assert (definition.period, definition.scope, definition.rank_by, definition.working_days_after) == (
        "monthly", "department", "on_time_rate", 1)
    assert definition.red_list is not None and definition.red_list.met_by({"on_time_rate": 0.96})
    assert definition.black_list is not None and not definition.black_list.met_by({"overdue": 5})
    assert definition.title("en") == "Test bulletin" and definition.recipient_roles == ("supervisor",)


@pytest.mark.parametrize(("changes", "expected"), [
    ({"period": "daily"}, "test.yaml: period: period 'daily' is not one of weekly, monthly, quarterly"),
    ({"scope": "grid"}, "test.yaml: scope: scope 'grid' is not one of district, street, department"),
    ({"measures": ["closed", "happiness"]}, "measures: unknown measure 'happiness'"),
    ({"measures": []}, "measures: measures is a non-empty list"),
    ({"rank_by": "urges"}, "rank_by: rank_by 'urges' must be one of this bulletin's measures"),
    ({"order": "up"}, "order: order 'up' is desc"),
    ({"name": "Monthly Ranking"}, "name: name 'Monthly Ranking' must be lower-case"),
    ({"title": {"en": "only English"}}, "title: a bulletin needs a title"),
    ({"colour": "red"}, "colour: unknown key"),
    ({"min_closed": -1}, "min_closed: min_closed must be a whole number >= 0"),
    ({"red_list": {"all": [{"measure": "on_time_rate", "at_least": 95}]}},
     "red_list.all[0]: on_time_rate is a rate between 0 and 1 (0.9 for 90%), not 95"),
    ({"red_list": {"all": [{"measure": "on_time_rate", "at_least": 0.9, "below": 1}]}},
     "red_list.all[0]: give exactly one of at_least, at_most, above, below"),
    ({"black_list": {"some": []}}, "black_list: a list rule is {all: [conditions]} or {any: [conditions]}"),
    ({"black_list": {"any": [{"measure": "returns", "above": 3}]}},
     "black_list: condition on returns, which is not among this bulletin's measures"),
    ({"black_list": {"any": [{"measure": "overdue", "above": "many"}]}}, "above must be a number, not 'many'"),
    ({"publish": {"working_days_after": 30}}, "publish: working_days_after must be a whole number from 0 to 20"),
    ({"scope": "street"}, "departments: departments lists the rows of a department-scope bulletin only"),
])
def test_each_mistake_is_one_problem_line_naming_the_key(changes, expected) -> None:
    found = lines(changes)
    assert any(expected in line for line in found), found
    assert all(line.startswith(PATH) for line in found)


def test_codes_are_checked_against_the_organisation(org) -> None:
    assert lines({"departments": ["chengguan", "nowhere"]}, org) == [
        f"{PATH}: departments: unknown department 'nowhere' (not in the organisation)"]
    assert lines({"recipients": {"roles": ["mayor"]}}, org) == [
        f"{PATH}: recipients: unknown role 'mayor' (not in the organisation)"]


def test_a_file_that_is_not_yaml_or_not_a_mapping_is_refused_in_one_line() -> None:
    _definition, problems = parse_bulletin(PATH, "name: [unclosed", None)
    assert len(problems) == 1 and "not valid YAML" in str(problems[0])
    _definition, problems = parse_bulletin(PATH, "- a list", None)
    assert [p.message for p in problems] == [
        "a bulletin definition is a mapping (name, title, period, scope, measures, …)"]


def test_two_files_may_not_define_the_same_bulletin_name() -> None:
    text = yaml.safe_dump(GOOD, allow_unicode=True)
    found, problems = bulletins_from_files({"rules/bulletins/a.yaml": text, "rules/bulletins/b.yaml": text})
    assert list(found) == ["test_ranking"]
    assert [str(p) for p in problems] == [
        "rules/bulletins/b.yaml: name: bulletin name 'test_ranking' is also used in rules/bulletins/a.yaml"]


def test_the_shipped_definitions_are_valid_against_the_demo_organisation(org) -> None:
    found, problems = bulletins_from_files(load_root(PROJECT_ROOT).files, org)
    assert problems == []
    assert {"monthly_department_ranking", "weekly_street_bulletin"} <= set(found)
    monthly = found["monthly_department_ranking"]
    assert monthly.period == "monthly" and monthly.scope == "department" and monthly.rank_by == "on_time_rate"
    assert found["weekly_street_bulletin"].scope == "street"


def test_validating_a_bundle_reports_a_broken_bulletin_once_and_refuses_the_deploy() -> None:
    bundle = load_root(PROJECT_ROOT).overlay(Bundle({
        "rules/bulletins/broken.yaml": yaml.safe_dump({**GOOD, "period": "daily"}),
        "rules/bulletins/not_yaml.yaml": "name: [",
    }))
    problems, _catalogue = validate_bundle(bundle)
    assert [str(p) for p in problems if p.file == "rules/bulletins/broken.yaml"] == [
        "rules/bulletins/broken.yaml: period: period 'daily' is not one of weekly, monthly, quarterly"]
    assert len([p for p in problems if p.file == "rules/bulletins/not_yaml.yaml"]) == 1
