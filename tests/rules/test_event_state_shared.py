"""Event-rule windows live in the database: reports arriving through different processes (separate
Database and adapter instances) meet in one window, a restart forgets nothing, and racing ingests
of the same group fire each hot spot exactly once."""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.app.boot import boot
from engine.events.loading import deployed_rulesets
from engine.events.service import process_event
from engine.rules.adapter import DurableRules
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.rules import EventRuleState
from tests.conftest import deploy_bundled

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
GROUPS = 8  # subcategory/grid-cell groups raced at once
RACERS = 6  # each racer reports once in every group: 6 reports = exactly 2 hot spots per group


def report(at: datetime, subcategory: str = "0102", cell: str = "S03C01G01", key: str = "EXT") -> dict[str, Any]:
    return {"type": "case.reported", "occurred_at": at.isoformat(),
            "payload": {"subcategory": subcategory, "grid_cell": cell, "case_key": key}}


def ingest_as_process(url: str, event: dict[str, Any]) -> list[dict[str, Any]]:
    """What one process does: its own engine (connection pool) and its own adapter (durable host)."""
    database = Database(url)
    try:
        with database.transaction() as session:
            return process_event(session, event, "rules", deployed_rulesets(session), DurableRules())
    finally:
        database.dispose()


def hot_spots(database: Database) -> int:
    with database.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Case).where(Case.process_key == "hot_spot")) or 0


def state_rows(database: Database) -> int:
    with database.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(EventRuleState)) or 0


def test_three_reports_through_three_processes_start_exactly_one_hot_spot(deployed_db):
    results = [ingest_as_process(deployed_db.url, report(T0 + timedelta(minutes=20 * i), key=f"EXT-{i}"))
               for i in range(3)]
    assert [len(r) for r in results] == [0, 0, 2]  # start_case and raise_priority, on the third report
    assert results[2][0]["operation"] == "start_case"
    assert hot_spots(deployed_db) == 1
    assert state_rows(deployed_db) == 0  # the fired window emptied, and its row went with it


def test_an_open_window_survives_a_restart_of_the_adapter_and_the_database_engine(deployed_db):
    ingest_as_process(deployed_db.url, report(T0))
    ingest_as_process(deployed_db.url, report(T0 + timedelta(minutes=30)))
    assert state_rows(deployed_db) == 1 and hot_spots(deployed_db) == 0
    deployed_db.dispose()  # "restart": nothing of the first two ingests is left in any process object
    ingest_as_process(deployed_db.url, report(T0 + timedelta(minutes=60)))
    assert hot_spots(deployed_db) == 1


def test_a_report_outside_the_two_hour_window_of_the_others_fires_nothing_across_processes(deployed_db):
    ingest_as_process(deployed_db.url, report(T0))
    ingest_as_process(deployed_db.url, report(T0 + timedelta(hours=1)))
    ingest_as_process(deployed_db.url, report(T0 + timedelta(hours=2, seconds=1)))
    assert hot_spots(deployed_db) == 0


def test_an_ingest_whose_transaction_rolls_back_leaves_no_window_state(deployed_db):
    rules = DurableRules()
    with pytest.raises(RuntimeError), deployed_db.transaction() as session:
        process_event(session, report(T0), "rules", deployed_rulesets(session), rules)
        raise RuntimeError("the caller's service call fails after the event")
    assert state_rows(deployed_db) == 0


def _race(url: str, racer: int, barrier: Any) -> int:
    """One racer: reports once in every group, all racers released together per group."""
    boot()  # a spawned process starts bare, as a worker or web process would, and boots the same way
    fired = 0
    for group in range(GROUPS):
        barrier.wait(timeout=120)
        event = report(T0 + timedelta(minutes=group, seconds=racer), subcategory=f"01{group:02d}", key=f"R{racer}")
        fired += sum(1 for r in ingest_as_process(url, event) if r["operation"] == "start_case")
    return fired


def _race_in_threads(url: str) -> int:
    barrier = threading.Barrier(RACERS)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run(racer: int) -> None:
        try:
            counts.append(_race(url, racer, barrier))
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(r,)) for r in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return sum(counts)


def _race_in_processes(url: str) -> int:
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(RACERS)
    with context.Pool(RACERS) as pool:
        return sum(pool.starmap(_race, [(url, racer, barrier) for racer in range(RACERS)]))


def _assert_every_group_fired_exactly_twice(database: Database, fired: int) -> None:
    assert fired == GROUPS * RACERS // 3
    assert hot_spots(database) == GROUPS * RACERS // 3
    assert state_rows(database) == 0  # every window emptied: no report counted twice or left over


@pytest.fixture
def deployed_pg(pg_db: Database) -> Iterator[Database]:
    deploy_bundled(pg_db)
    yield pg_db


def test_racing_threads_on_sqlite_fire_each_hot_spot_once_and_miss_none(deployed_db):
    _assert_every_group_fired_exactly_twice(deployed_db, _race_in_threads(deployed_db.url))


def test_racing_threads_on_postgresql_fire_each_hot_spot_once_and_miss_none(deployed_pg):
    _assert_every_group_fired_exactly_twice(deployed_pg, _race_in_threads(deployed_pg.url))


def test_racing_processes_on_postgresql_fire_each_hot_spot_once_and_miss_none(deployed_pg):
    _assert_every_group_fired_exactly_twice(deployed_pg, _race_in_processes(deployed_pg.url))
