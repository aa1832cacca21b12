"""The casegrid command: one line per problem, non-zero exit, no traceback; --json for machines."""
from __future__ import annotations

import json

from engine.config import PROJECT_ROOT

from .helpers import FIXTURES


def test_validate_prints_each_problem_on_one_line_and_exits_non_zero(real_cli):
    """A real process, as a shell runs it: the entry point, stderr and the exit status."""
    result = real_cli("validate", str(FIXTURES / "broken"))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    expected = [
        ("bad_refs.bpmn: ask:", "no_such_form"),
        ("bad_refs.bpmn: decide:", "no_such_decision"),
        ("bad_refs.bpmn: lane_ghost:", "ghost_role"),
        ("bad_refs.bpmn: f4:", "syntax"),
        ("not_xml.bpmn", "not well-formed XML"),
    ]
    for where, what in expected:
        assert any(where in line and what in line for line in lines), (where, lines)
    assert len(lines) == len(expected)


def test_deploy_of_broken_files_deploys_nothing(cli):
    assert cli("init").returncode == 0  # from nothing: the migrations, the organisation, the bundle
    result = cli("deploy", str(FIXTURES / "broken"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    again = cli("deploy", str(PROJECT_ROOT / "processes"))
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_start_tasks_and_complete_speak_json_and_report_errors_in_one_line(cli_after_init):
    cli = cli_after_init
    started = json.loads(cli("start", "sample_loop", "--data", '{"target": 2}', "--json").stdout)
    assert started["business_key"].startswith("LH-") and len(started["tasks"]) == 1
    listed = json.loads(cli("tasks", "--json").stdout)
    assert [t["id"] for t in listed] == [started["tasks"][0]["id"]]
    task_id = listed[0]["id"]
    done = json.loads(cli("complete", task_id, "--data", '{"reading": 5}', "--user", "system", "--json").stdout)
    assert done["status"] == "running" and done["tasks"][0]["name"] == "巡查并记录读数"
    twice = cli("complete", task_id, "--data", '{"reading": 5}', "--user", "system")
    assert twice.returncode != 0 and twice.stderr.count("\n") == 1 and "conflict" in twice.stderr
    bad = cli("start", "sample_loop", "--data", "{not json")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_start_as_a_user_obeys_who_may_start_the_process(cli_after_demo_init):
    cli = cli_after_demo_init
    report = json.dumps({"title": "命令行上报测试", "category": "0102", "grid_cell": "S03C01G01",
                         "address": "湖贝路1号", "description": "路口垃圾堆放两天", "report_channel": "hotline",
                         "caller_name": "市民", "caller_phone": "13900000000"})
    refused = cli("start", "social_event", "--data", report, "--user", "chengguan_h1")
    # A handler is not among the report's starters (grid workers, hotline, dispatchers): one line, nothing made.
    assert refused.returncode != 0 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert "grid_worker, hotline" in refused.stderr
    before = json.loads(cli("tasks", "--json").stdout)
    started = cli("start", "social_event", "--data", report, "--user", "hotline1", "--json")
    assert started.returncode == 0, started.stderr
    assert len(json.loads(cli("tasks", "--json").stdout)) == len(before) + 1
