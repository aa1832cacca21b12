"""`casegrid ARGS...` run in the test's own process, against the test's own SQLite file and instance folder.

Most CLI tests check what a command prints, what it changes and its exit code, not the process boundary,
and a new interpreter costs each call more than the command itself (importing the app). Each call sees
only what a new process would: its own environment, settings read afresh and the engine's caches empty.
The process boundary itself (the entry point, exit codes seen by a shell) is tested with real processes in
tests/core/test_cli.py."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from engine.config import PROJECT_ROOT, settings


@dataclass(frozen=True)
class CliResult:
    """What a finished `casegrid` call left: the shape of subprocess.CompletedProcess the tests read."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class Cli:
    def __init__(self, folder: Path, clear_caches: Callable[[], None], database_url: str | None = None) -> None:
        """On its own SQLite file in `folder`, or on the database a test already holds (`database_url`)."""
        self.database_path = folder / "cli.sqlite3"
        self.env = {"CASEGRID_INSTANCE_DIR": str(folder / "instance"),
                    "CASEGRID_DATABASE_URL": database_url or f"sqlite:///{self.database_path}"}
        self._clear_caches = clear_caches

    def __call__(self, *args: str) -> CliResult:
        from engine.app.cli import main

        before = Path.cwd()
        self._fresh()
        try:
            os.chdir(PROJECT_ROOT)
            result = CliRunner().invoke(main, list(args), env=self.env, prog_name="casegrid")
        finally:
            os.chdir(before)
            self._fresh()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback the real command would never print: fail the test with it
        return CliResult(tuple(args), result.exit_code, result.stdout, result.stderr)

    def start_from(self, template: Path) -> None:
        """Begin where `casegrid init` (or `init --demo`) leaves a new database: a copy of the template that
        the same `initialise` built once for the run."""
        shutil.copy(template, self.database_path)

    def _fresh(self) -> None:
        settings.cache_clear()
        self._clear_caches()
