"""Worked example 3 of docs/analyst-guide.md — 噪声投诉, a new process with an extension step and a parallel
assist, added by files only — is tested end to end by its scenario file on a throwaway database under a
simulated clock: the extension the head of the street office approves moves the deadline, two assisting
departments work at the same time, the handling deadline passes (超期) and the case still closes. No system
clock is touched. The guide prints what the scenario run really prints."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.app.scenario_cli import result_text
from engine.app.scenarios.format import parse_scenario
from engine.app.scenarios.running import ScenarioResult, run_scenario
from engine.app.scenarios.world import throwaway_world
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_paths, load_root
from engine.definitions.validation import validate_bundle

EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "noise_complaint"
SCENARIO = EXAMPLE / "scenarios" / "noise_complaint_overdue_extension.yaml"
GUIDE = PROJECT_ROOT / "docs" / "analyst-guide.md"


@pytest.fixture(scope="module")
def scenario_result() -> Iterator[ScenarioResult]:
    overlay = load_paths([EXAMPLE], PROJECT_ROOT)
    with throwaway_world(PROJECT_ROOT, overlay=overlay) as world, world.database() as db:
        # named by its path in the project, as `casegrid scenario run` run from the project's folder names it
        scenario = parse_scenario(SCENARIO.read_text(encoding="utf-8"), str(SCENARIO.relative_to(PROJECT_ROOT)))
        yield run_scenario(db, scenario)


def test_the_example_is_nine_definition_files_that_validate_with_the_shipped_bundle():
    given = load_paths([EXAMPLE])
    assert sorted(given.files) == [
        "forms/noise_assist.json", "forms/noise_close.json", "forms/noise_extension_review.json",
        "forms/noise_feedback.json", "forms/noise_handle.json", "forms/noise_report.json", "forms/noise_verify.json",
        "processes/noise_complaint.bpmn", "rules/sla/noise_complaint.yaml"]
    problems, catalogue = validate_bundle(load_root(PROJECT_ROOT).overlay(given))
    assert problems == []
    assert catalogue.processes["noise_complaint"].family == "noise_complaint"


def test_nothing_of_the_example_is_shipped():
    assert not [path for path in load_root(PROJECT_ROOT).files if "noise" in path]


def test_the_guide_commands_validate_the_example_and_check_its_drawn_diagram(cli):
    validated = cli("validate", "docs/examples/noise_complaint")
    assert (validated.returncode, validated.stdout) == (0, "ok: 9 file(s) valid\n")
    layout = cli("layout", "--check", "docs/examples/noise_complaint/processes")
    assert (layout.returncode, layout.stdout) == (0, "ok: 1 diagram(s) usable\n")


def test_the_scenario_passes_on_a_throwaway_database_with_the_example_laid_over_the_shipped_definitions(
        scenario_result: ScenarioResult):
    assert scenario_result.passed, "\n".join(
        f"line {line.line}: {line.text}" for line in scenario_result.lines if not line.passed)


def test_the_scenario_has_an_approved_extension_two_assists_at_once_and_a_passed_deadline_before_closing(
        scenario_result: ScenarioResult):
    texts = [line.text for line in scenario_result.lines]
    in_order = [
        "expect due {签收处置: 2026-11-27 18:00}",                      # 3 working days from Tue 24 Nov
        "jd_s03_h2 completes review_extension: refused as expected (forbidden)",  # a handler may not decide it
        "jd_s03_head completes review_extension",
        "expect due {签收处置: 2026-12-01 18:00}",                      # + 2 approved working days
        "expect departments {协办处置: [生态环境分局, 公安分局]}",          # both open at the same time
        "expect sla {协办处置: 升级}",                                  # the late assist: overdue, escalated
        "expect sla {处理反馈: 超期}",                                  # the report back continues the passed deadline
        "expect status 已办结",
    ]
    positions = [texts.index(text) for text in in_order]
    assert positions == sorted(positions)


def test_the_guide_prints_the_real_output_of_the_scenario_run(cli, scenario_result: ScenarioResult):
    guide = GUIDE.read_text(encoding="utf-8")
    for line in result_text(scenario_result).splitlines():
        assert line in guide
    ran = cli("scenario", "run", "docs/examples/noise_complaint/scenarios/", "--add", "docs/examples/noise_complaint")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.splitlines()[-1] == "1 of 1 scenario(s) passed"
    assert ran.stdout.splitlines()[:-1] == result_text(scenario_result).splitlines()
