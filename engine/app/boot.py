"""Start-up wiring every process runs once (web app, CLI, worker, tests, benchmarks): the reactions
to a case's steps and the timer kinds they own. Idempotent."""
from __future__ import annotations

from engine.reactions import register_all


def boot() -> None:
    register_all()
