"""`casegrid validate` and `casegrid deploy` check rules/events/*.json as the adapter does when it loads
them: one line per problem (file, element, message), non-zero exit, nothing deployed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT

BAD = {
    "name": "bad_rules",
    "accepts": ["case.reported"],
    "session_key": ["grid_cell"],
    "session_ttl_seconds": 3600,
    "rules": {
        "pair": {"when": {"all": [{"first": {"type": "a"}}, {"second": {"type": "b"}}]},
                 "actions": [{"operation": "notify"}]},
        "shell": {"when": {"all": [{"m": {"type": "case.reported"}}]},
                  "actions": [{"operation": "run_python", "code": "import os"}]},
        "wide": {"when": {"all": [{"m": {"type": "case.reported"}}]}, "window": {"count": 0, "seconds": -5},
                 "actions": [{"operation": "notify"}]},
    },
}



@pytest.fixture
def bad_root(tmp_path: Path) -> Path:
    root = tmp_path / "definitions"
    (root / "rules" / "events").mkdir(parents=True)
    (root / "rules" / "events" / "bad_rules.json").write_text(json.dumps(BAD), encoding="utf-8")
    return root



def test_validate_reports_each_rule_set_problem_the_loader_would_refuse_on_its_own_line(cli, bad_root):
    result = cli("validate", str(bad_root))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    expected = [
        ("rule 'pair'", "conditions on one event"),
        ("rule 'shell' action 1", "unknown operation 'run_python'"),
        ("rule 'wide'", "'window' must be"),
    ]
    for where, what in expected:
        assert any("rules/events/bad_rules.json" in line and where in line and what in line for line in lines), \
            (where, lines)
    assert len(lines) == len(expected)


def test_deploy_refuses_a_rule_set_the_loader_would_refuse_and_deploys_nothing(cli_after_init, bad_root):
    cli = cli_after_init
    result = cli("deploy", str(bad_root))
    assert result.returncode != 0 and "unknown operation 'run_python'" in result.stderr
    again = cli("deploy", str(PROJECT_ROOT / "rules" / "events"))
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_the_shipped_rule_sets_validate(cli):
    result = cli("validate", str(PROJECT_ROOT / "rules" / "events"))
    assert result.returncode == 0, result.stderr
