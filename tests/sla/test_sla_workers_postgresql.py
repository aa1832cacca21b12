"""Done-when (2): on PostgreSQL, 4 real `casegrid worker` processes fire 1,000 due timers, each
exactly once (no gaps, no duplicates), although one worker is killed with SIGKILL mid-run."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from engine.cases.service import start_case
from engine.config import PROJECT_ROOT
from engine.org.access import system_actor
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.timers import Timer
from tests.sla.conftest import prepare

CASES = 1000
WORKERS = 4


def _fired(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Timer).where(
            Timer.kind == "bpmn", Timer.status != "pending")) or 0


def _spawn(pg_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CASEGRID_DATABASE_URL": pg_url, "CASEGRID_WORKER_POLL_SECONDS": "0.2"}
    return subprocess.Popen([sys.executable, "-m", "engine.app.cli", "worker"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_until(condition, limit_s: float) -> bool:  # type: ignore[no-untyped-def]
    # A safety stop for a hung run, not an assertion on speed.
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_four_worker_processes_fire_each_of_1000_timers_exactly_once_despite_a_sigkill(pg_url: str) -> None:
    db = prepare(Database(pg_url))
    wake_at = datetime.now(UTC) + timedelta(seconds=1)
    # Create the cases as if an hour earlier, so no timer is due yet and none fires inline.
    with time_machine.travel(wake_at - timedelta(hours=1), tick=True), db.transaction() as session:
        for _ in range(CASES):
            start_case(session, "wake", {"wake_at": wake_at.isoformat(), "wakes": 0}, system_actor())
    with db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "pending")) == CASES
    workers = [_spawn(pg_url) for _ in range(WORKERS)]
    try:
        assert _wait_until(lambda: _fired(db) >= 150, 120), "workers fired nothing"
        workers[0].send_signal(signal.SIGKILL)  # mid-run: it may hold a claimed row in an open transaction
        workers[0].wait()
        assert _wait_until(lambda: _fired(db) >= CASES, 300), f"only {_fired(db)} of {CASES} fired"
    finally:
        for worker in workers[1:]:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    with db.transaction(readonly=True) as session:
        statuses = dict(session.execute(select(Timer.status, func.count()).where(Timer.kind == "bpmn")
                                        .group_by(Timer.status)).all())
        assert statuses == {"fired": CASES}
        per_case = session.execute(select(AuditEvent.case_id, func.count()).where(
            AuditEvent.action == "timer_fired").group_by(AuditEvent.case_id)).all()
        assert len(per_case) == CASES and {n for _, n in per_case} == {1}
        assert session.scalar(select(func.count()).select_from(Case).where(Case.status == "completed")) == CASES
        wakes = {case.data.get("wakes") for case in session.scalars(select(Case))}
        assert wakes == {1}
        by_worker = session.scalars(select(func.count(func.distinct(Timer.fired_by)))).one()
        assert by_worker >= 2
    db.dispose()
