"""Idempotency keys (ingested_events) are kept for CASEGRID_EVENT_KEY_RETENTION_DAYS, then purged in
bounded batches — by `casegrid events purge` and by the worker — and a key still inside the retention
keeps refusing its event's redelivery."""
from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from engine import config
from engine.app.cli import main
from engine.app.worker import purge_event_keys_before, run_worker
from engine.commands.events import ingest_event_batch
from engine.errors import InvalidInput
from engine.events.settings import ingestion_settings
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.rules import IngestedEvent

NOW = datetime.now(UTC)


def reading(event_id: str) -> dict:
    return {"id": event_id, "type": "sensor.reading", "source": "gauges", "occurred_at": NOW.isoformat(),
            "payload": {"sensor_id": "WL-1", "kind": "water_level", "value": 0.2, "grid_cell": "S05C02G01"}}


def post(db: Database, *ids: str) -> list[str]:
    with db.transaction() as session:
        outcome = ingest_event_batch(session, actor_for(session, "gauge_gateway"), [reading(i) for i in ids],
                                     skip_refused=True)
    return [o["status"] for o in outcome.outcomes]


def received(db: Database, ids: list[str], days_ago: float) -> None:
    """Backdate these keys as though their events had arrived ``days_ago`` days before NOW."""
    with db.transaction() as session:
        session.execute(update(IngestedEvent).where(IngestedEvent.idempotency_key.in_(
            [f"gauge_gateway:{i}" for i in ids])).values(received_at=NOW - timedelta(days=days_ago)))


def keys(db: Database) -> set[str]:
    with db.transaction(readonly=True) as session:
        return {k.split(":", 1)[1] for k in session.scalars(select(IngestedEvent.idempotency_key))}


@pytest.fixture
def history(deployed_db: Database) -> Database:
    """Five keys 40½-44½ days old, one exactly 30 days old, two of today."""
    old = [f"old-{i}" for i in range(5)]
    assert post(deployed_db, *old, "edge", "new-1", "new-2") == ["applied"] * 8
    for i, key in enumerate(old):
        received(deployed_db, [key], 40.5 + i)
    received(deployed_db, ["edge"], 30)
    return deployed_db


def test_the_purge_removes_only_keys_older_than_the_retention_oldest_first_in_bounded_batches(history):
    first = purge_event_keys_before(history, 30, now=NOW, batch=2, batches=2)
    assert (first.deleted, first.batches, first.more_left) == (4, 2, True)  # two transactions of two
    assert keys(history) == {"old-0", "edge", "new-1", "new-2"}  # the oldest went first
    rest = purge_event_keys_before(history, 30, now=NOW, batch=2, batches=None)
    assert (rest.deleted, rest.more_left) == (1, False)
    assert keys(history) == {"edge", "new-1", "new-2"}  # received exactly at the cut-off: kept
    assert purge_event_keys_before(history, 30, now=NOW).deleted == 0


def test_a_redelivery_of_a_recent_event_is_still_refused_after_a_purge(history):
    purge_event_keys_before(history, 30, now=NOW, batches=None)
    assert post(history, "new-1", "edge") == ["duplicate", "duplicate"]
    # A purged key is past every redelivery window; were its event sent once more it would count anew.
    assert post(history, "old-0") == ["applied"]
    with history.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(IngestedEvent)) == 4


def test_the_retention_comes_from_the_environment_and_must_be_whole_days(history, monkeypatch):
    assert ingestion_settings({}).key_retention_days == 30
    monkeypatch.setenv("CASEGRID_EVENT_KEY_RETENTION_DAYS", "42")
    assert purge_event_keys_before(history, now=NOW, batches=None).deleted == 3  # 42½-44½ days old
    monkeypatch.setenv("CASEGRID_EVENT_KEY_RETENTION_DAYS", "0")
    with pytest.raises(ValueError, match="CASEGRID_EVENT_KEY_RETENTION_DAYS"):
        purge_event_keys_before(history, now=NOW)
    with pytest.raises(InvalidInput):
        purge_event_keys_before(history, 0, now=NOW)
    assert len(keys(history)) == 5  # a refused purge deleted nothing


def invoke(db: Database, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("CASEGRID_DATABASE_URL", db.url)
    config.settings.cache_clear()
    try:
        return CliRunner().invoke(main, ["events", "purge", *args])
    finally:
        config.settings.cache_clear()


def test_the_cli_purges_past_the_retention_and_says_what_it_did(history, monkeypatch):
    received(history, ["edge"], 29)  # the CLI's clock runs after NOW: keep "edge" clear of its cut-off
    done = invoke(history, monkeypatch, "--older-than", "41")
    assert done.exit_code == 0, done.output
    assert done.output.startswith("purged 4 event idempotency key(s) received before ")
    assert keys(history) == {"old-0", "edge", "new-1", "new-2"}
    as_json = invoke(history, monkeypatch, "--json")  # the default: 30 days
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.output)
    assert report["deleted"] == 1 and report["transactions"] == 1
    assert datetime.fromisoformat(report["received_before"]) < NOW - timedelta(days=29)
    assert keys(history) == {"edge", "new-1", "new-2"}


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_the_cli_refuses_a_retention_under_a_day_and_deletes_nothing(history, monkeypatch, days):
    refused = invoke(history, monkeypatch, "--older-than", days)
    assert refused.exit_code != 0
    assert "at least 1" in refused.output or "not a valid integer" in refused.output
    assert len(keys(history)) == 8


def test_the_worker_purges_old_keys_on_its_own(history):
    received(history, ["edge"], 29)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(history, stop, 0.05, "test-worker"))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while len(keys(history)) > 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(10)
    assert keys(history) == {"edge", "new-1", "new-2"}


def test_on_postgresql_the_batched_purge_takes_the_oldest_keys_first(pg_db: Database):
    from sqlalchemy import insert

    rows = [{"idempotency_key": f"gw:{i}", "type": "sensor.reading", "source": None, "occurred_at": NOW,
             "received_at": NOW - timedelta(days=31 + i), "posted_by": "gw", "actions": 0, "payload": {}}
            for i in range(7)] + [{"idempotency_key": "gw:new", "type": "sensor.reading", "source": None,
                                   "occurred_at": NOW, "received_at": NOW, "posted_by": "gw", "actions": 0,
                                   "payload": {}}]
    with pg_db.transaction() as session:
        session.execute(insert(IngestedEvent), rows)
    first = purge_event_keys_before(pg_db, 30, now=NOW, batch=3, batches=1)
    assert (first.deleted, first.more_left) == (3, True)
    assert keys(pg_db) == {"0", "1", "2", "3", "new"}
    assert purge_event_keys_before(pg_db, 30, now=NOW, batch=3, batches=None).deleted == 4
    assert keys(pg_db) == {"new"}
