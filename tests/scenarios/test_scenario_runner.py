"""The analysts' test bench: the shipped scenario files pass; an unmet expectation or a refused action is
a failed line; a malformed file is refused before anything runs; the configured database is never touched."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.app.scenarios.format import parse_scenario
from engine.app.scenarios.running import run_scenario
from engine.app.scenarios.world import ThrowawayWorld, throwaway_world
from engine.config import PROJECT_ROOT
from engine.errors import InvalidInput
from engine.store.database import Database
from engine.store.models.tasks import WorkItem

SHIPPED = sorted((PROJECT_ROOT / "scenarios").glob("*.yaml"))
REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01", "address": "湖贝路与东门中路交叉口",
          "description": "垃圾桶旁堆放生活垃圾约两立方米", "report_channel": "grid_worker"}


@pytest.fixture(scope="module")
def world() -> Iterator[ThrowawayWorld]:
    with throwaway_world(PROJECT_ROOT) as built:
        yield built


def _scenario(steps: str) -> str:
    return f"""name: 测试
process: social_event
clock: 2026-11-24 10:00
start:
  as: gw_s03c01g01
  data: {json.dumps(REPORT, ensure_ascii=False)}
steps:
{steps}
"""


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_passes(world: ThrowawayWorld, path: Path) -> None:
    with world.database() as db:
        result = run_scenario(db, parse_scenario(path.read_text(encoding="utf-8"), str(path)))
    assert result.passed, "\n".join(f"line {line.line}: {line.text}" for line in result.lines if not line.passed)


def test_an_unmet_expectation_is_one_failed_line_naming_what_was_found(world: ThrowawayWorld) -> None:
    scenario = parse_scenario(_scenario("  - expect: {tasks: [任务派遣], status: 办理中}\n"), "inline.yaml")
    with world.database() as db:
        result = run_scenario(db, scenario)
    assert not result.passed
    assert [(line.passed, line.text) for line in result.lines[1:]] == [
        (False, "expect tasks [任务派遣], found [案卷建立（立案）]"), (True, "expect status 办理中")]


def test_a_scenario_starts_further_cases_counts_them_and_following_a_case_nobody_started_fails(
        world: ThrowawayWorld) -> None:
    other = json.dumps({**REPORT, "grid_cell": "S05C02G02", "title": "人民南路暴露垃圾"}, ensure_ascii=False)
    steps = (f"  - start: social_event\n    as: gw_s05c02g02\n    data: {other}\n"
             "  - expect: {cases: {social_event: 2, hot_spot: 0}, tasks: [案卷建立（立案）]}\n"
             "  - follow: hot_spot\n")
    with world.database() as db:
        result = run_scenario(db, parse_scenario(_scenario(steps), "inline.yaml"))
    texts = [(line.passed, line.text) for line in result.lines]
    assert texts[1:] == [(True, "gw_s05c02g02 starts social_event"),
                         (True, "expect cases {social_event: 2, hot_spot: 0}"),
                         (True, "expect tasks [案卷建立（立案）]"),
                         (False, "follow hot_spot: no hot_spot case was started"),
                         (False, "scenario stopped: the steps after a failed action were not run")]


def test_a_refused_action_fails_and_stops_the_scenario_unless_the_refusal_is_expected(world: ThrowawayWorld) -> None:
    steps = ("  - do: register\n    as: huanwei_h1\n    data: {register_decision: register}\n    refused: not_found\n"
             "  - do: register\n    as: huanwei_h1\n    data: {register_decision: register}\n"
             "  - expect: {tasks: []}\n")
    with world.database() as db:
        result = run_scenario(db, parse_scenario(_scenario(steps), "inline.yaml"))
    texts = [(line.passed, line.text) for line in result.lines]
    assert texts[1] == (True, "huanwei_h1 completes register: refused as expected (not_found)")
    assert texts[2][0] is False and "refused: not_found" in texts[2][1]
    assert texts[3] == (False, "scenario stopped: the steps after a failed action were not run")
    assert len(texts) == 4


def test_time_moves_only_when_a_step_says_so_and_fires_the_timers_it_passes(world: ThrowawayWorld) -> None:
    steps = ("  - expect: {sla: {案卷建立（立案）: 正常}}\n  - advance: 2 hours\n"
             "  - expect: {sla: {案卷建立（立案）: 超期}}\n")
    with world.database() as db:
        result = run_scenario(db, parse_scenario(_scenario(steps), "inline.yaml"))
    assert result.passed, [line.text for line in result.lines]
    assert "time is now 2026-11-24 12:00" in result.lines[2].text


def test_a_bpmn_timer_due_at_the_instant_time_is_moved_to_fires(world: ThrowawayWorld) -> None:
    # The deemed acceptance of licensing.bpmn is due at 18:00 on the 5th working day (Tue 1 Dec); the clock
    # moved exactly there must have let it act, not consumed its timer with the case still waiting.
    text = """name: 视为受理
process: licensing
clock: 2026-11-24 10:00
start:
  as: window1
  data: {title: 食品经营许可 张记面馆, applicant: 张记面馆, applicant_id: 92440303MA5G0A1X1K, licence_type: food_business,
         materials_submitted: [application_form, business_licence, id_card, premises_layout, food_safety_rules,
                               staff_health_certs]}
steps:
  - advance to: 2026-12-01 18:00
  - expect: {tasks: [部门审查], data: {acceptance: deemed}}
"""
    with world.database() as db:
        result = run_scenario(db, parse_scenario(text, "inline.yaml"))
    assert result.passed, [line.text for line in result.lines]
    assert "time is now 2026-12-01 18:00" in result.lines[1].text


@pytest.mark.parametrize(("text", "message"), [
    ("process: social_event\nsteps: []\n", "missing 'start'"),
    (_scenario("  - advance: soon\n"), None),
    (_scenario("  - expect: {tasks: 立案}\n"), "expect tasks takes a list"),
    (_scenario("  - expect: {due: {立案: tomorrow}}\n"), "not a date and time"),
    (_scenario("  - do: register\n    as: dispatcher1\n    explode: true\n"), "unknown key(s) explode"),
    (_scenario("  - {do: register, expect: {tasks: []}}\n"), "exactly one of"),
    ("[1, 2", "not valid YAML"),
])
def test_a_malformed_scenario_is_refused_with_its_line(text: str, message: str | None) -> None:
    if message is None:  # a bad amount is only known when the step runs: it is a failed line, see below
        parse_scenario(text, "bad.yaml")
        return
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_scenario(text, "bad.yaml")


def test_the_cli_runs_scenarios_on_throwaway_databases_and_exits_1_on_a_failure(cli, tmp_path: Path) -> None:
    failing = tmp_path / "failing.yaml"
    failing.write_text(_scenario("  - expect: {status: 已办结}\n"), encoding="utf-8")

    ran = cli("scenario", "run", str(failing), "--json")

    assert ran.returncode == 1, ran.stderr
    payload = json.loads(ran.stdout)
    assert payload["passed"] is False
    assert payload["scenarios"][0]["lines"][-1] == {"passed": False, "line": 8,
                                                    "text": "expect status 已办结, found 办理中"}
    assert not cli.database_path.exists()
    broken = cli("scenario", "run", str(tmp_path / "nope.yaml"))
    assert broken.returncode == 1 and "no such file" in broken.stderr and "Traceback" not in broken.stderr


def test_simulate_fires_what_falls_due_on_a_test_database_only_when_confirmed(cli_after_init) -> None:
    casegrid = cli_after_init
    started = casegrid("start", "social_event", "--json", "--data", json.dumps(REPORT, ensure_ascii=False))
    assert started.returncode == 0, started.stderr
    refused = casegrid("simulate", "2", "working", "days")
    assert refused.returncode == 1 and "--test-database" in refused.stderr
    bad = casegrid("simulate", "to", "tomorrow", "--test-database")
    assert bad.returncode == 1 and "not a date and time" in bad.stderr and "Traceback" not in bad.stderr
    moved = casegrid("simulate", "3", "working", "days", "--test-database")
    assert moved.returncode == 0, moved.stderr
    assert int(moved.stdout.split()[1]) >= 2  # the 立案 step's warning and breach at least
    tasks = json.loads(casegrid("tasks", "--json").stdout)
    assert [t["name"] for t in tasks] == ["案卷建立（立案）"]
    with Database(f"sqlite:///{casegrid.database_path}").transaction(readonly=True) as session:
        assert session.scalar(select(WorkItem.sla_state)) == "overdue"
