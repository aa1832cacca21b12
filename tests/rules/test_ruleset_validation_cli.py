"""`casegrid validate` and `casegrid deploy` check rules/events/*.json as the adapter does when it loads
them: one line per problem (file, element, message), non-zero exit, nothing deployed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT

CLI = [sys.executable, "-m", "engine.cli"]

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
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CASEGRID_INSTANCE_DIR": str(tmp_path / "instance"),
            "CASEGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}


@pytest.fixture
def bad_root(tmp_path: Path) -> Path:
    root = tmp_path / "definitions"
    (root / "rules" / "events").mkdir(parents=True)
    (root / "rules" / "events" / "bad_rules.json").write_text(json.dumps(BAD), encoding="utf-8")
    return root


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_validate_reports_each_rule_set_problem_the_loader_would_refuse_on_its_own_line(env, bad_root):
    result = run(env, "validate", str(bad_root))
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


def test_deploy_refuses_a_rule_set_the_loader_would_refuse_and_deploys_nothing(env, bad_root):
    assert run(env, "init").returncode == 0
    result = run(env, "deploy", str(bad_root))
    assert result.returncode != 0 and "unknown operation 'run_python'" in result.stderr
    again = run(env, "deploy", str(PROJECT_ROOT / "rules" / "events"))
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_the_shipped_rule_sets_validate(env):
    result = run(env, "validate", str(PROJECT_ROOT / "rules" / "events"))
    assert result.returncode == 0, result.stderr
