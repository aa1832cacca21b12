"""Run a scenario in a process of its own, over the deployed definitions (the studio's 运行 button).

The simulated clock patches time process-wide, so a scenario never runs inside the web server: it runs
as `casegrid scenario run` in a child process, on files written to a temporary folder, with a deadline.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.app.scenarios.format import parse_scenario
from engine.config import PROJECT_ROOT, settings
from engine.errors import CasegridError

TIME_BUDGET_SECONDS = 120


class ScenarioRunFailed(CasegridError):
    code = "scenario_failed_to_run"
    status = 422


DEMO_USERS = "rules/demo_users.yaml"


def run_isolated(text: str, definitions: Mapping[str, str]) -> dict[str, Any]:
    """The `--json` result of running `text` over `definitions` (path -> text, as deployed). Scenarios act as
    the demo users, which a deployment does not carry: they come from the definitions folder."""
    parse_scenario(text, "scenario.yaml")  # a malformed file is refused here, with its line
    files = dict(definitions)
    shipped_users = settings().definitions_root / DEMO_USERS
    if DEMO_USERS not in files and shipped_users.exists():
        files[DEMO_USERS] = shipped_users.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="casegrid-studio-scenario-") as folder:
        root = Path(folder)
        for path, content in files.items():
            target = root / path
            if root not in target.resolve().parents:
                continue  # deployed names are checked at deploy; never write outside the folder anyway
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        scenario = root / "scenario.yaml"
        scenario.write_text(text, encoding="utf-8")
        env = {**os.environ, "CASEGRID_DATABASE_URL": f"sqlite:///{root / 'unused.sqlite3'}",
               "CASEGRID_INSTANCE_DIR": str(root / "instance")}
        try:
            ran = subprocess.run([sys.executable, "-m", "engine.app.cli", "scenario", "run", str(scenario), "--json",
                                  "--root", str(root)], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                                 timeout=TIME_BUDGET_SECONDS)
        except subprocess.TimeoutExpired:
            raise ScenarioRunFailed(f"the scenario did not finish within {TIME_BUDGET_SECONDS} s",
                                    key="scenario.too_slow", params={"seconds": TIME_BUDGET_SECONDS}) from None
        try:
            result: dict[str, Any] = json.loads(ran.stdout)
        except json.JSONDecodeError:
            error = (ran.stderr.strip().splitlines() or ["no output"])[-1]
            raise ScenarioRunFailed(f"the scenario could not run: {error}", key="scenario.could_not_run",
                                    params={"error": error}) from None
        return result
