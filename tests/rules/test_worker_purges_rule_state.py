"""The worker purges event-rule state that expired by the clock, of every rule set, even one that no
longer receives events; live groups stay, and (PostgreSQL) a group being ingested is never touched."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from engine.app.worker import purge_rule_state, run_worker
from engine.rules import state
from engine.store.database import Database
from engine.store.models.rules import EventRuleState

TABLE = EventRuleState.__table__


def add_group(db: Database, ruleset: str, group: str, expires_at: datetime, rules: tuple[str, ...] = ("r1",)) -> None:
    with db.transaction() as session:
        for rule in rules:
            session.execute(insert(TABLE).values(ruleset=ruleset, rule=rule, group_key=group, state={"window": []},
                                                 last_seen=expires_at - timedelta(hours=1), expires_at=expires_at))


def groups(db: Database) -> set[tuple[str, str]]:
    with db.transaction(readonly=True) as session:
        return {(r.ruleset, r.group_key) for r in session.execute(select(TABLE.c.ruleset, TABLE.c.group_key))}


def test_a_worker_sweep_deletes_groups_past_their_expiry_in_every_rule_set_and_keeps_live_ones(db: Database) -> None:
    now = datetime.now(UTC)
    add_group(db, "hot_spot", "0102|S03C01G01", now - timedelta(minutes=5), rules=("r1", "r2"))
    add_group(db, "quiet_set", "g-old", now - timedelta(days=3))  # a rule set that gets no more events
    add_group(db, "hot_spot", "0102|S01C01G01", now + timedelta(minutes=30))
    add_group(db, "quiet_set", "g-live", now + timedelta(days=1))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(db, stop, 0.05, "test-worker"))
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while len(groups(db)) > 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(10)
    assert groups(db) == {("hot_spot", "0102|S01C01G01"), ("quiet_set", "g-live")}


def test_a_sweep_purges_in_bounded_batches_until_nothing_expired_is_left(db: Database) -> None:
    now = datetime.now(UTC)
    for i in range(7):
        add_group(db, "hot_spot", f"old-{i}", now - timedelta(minutes=i + 1))
    add_group(db, "hot_spot", "live", now + timedelta(minutes=1))
    assert purge_rule_state(db, now, batch=3, batches=2) == 6  # two transactions of three groups
    assert len(groups(db)) == 2  # the oldest-expiring groups went first; one expired group waits
    assert purge_rule_state(db, now, batch=3) == 1
    assert groups(db) == {("hot_spot", "live")}
    assert purge_rule_state(db, now) == 0


def test_purge_expired_spares_a_group_renewed_at_the_cutoff(db: Database) -> None:
    now = datetime.now(UTC)
    add_group(db, "hot_spot", "edge", now)  # expires exactly now: not yet past it
    with db.transaction() as session:
        assert state.purge_expired(session, now.timestamp()) == 0
    assert groups(db) == {("hot_spot", "edge")}


def test_on_postgresql_the_sweep_skips_a_group_whose_ingest_holds_its_lock(pg_db: Database) -> None:
    now = datetime.now(UTC)
    add_group(pg_db, "hot_spot", "busy", now - timedelta(minutes=5))
    add_group(pg_db, "hot_spot", "idle", now - timedelta(minutes=5))
    with pg_db.transaction() as ingest:
        state.lock_group(ingest, "hot_spot", "busy")  # an ingest of this group is running
        assert purge_rule_state(pg_db, now) == 1
        assert ingest.scalar(text("SELECT count(*) FROM event_rule_state WHERE group_key = 'busy'")) == 1
    assert groups(pg_db) == {("hot_spot", "busy")}
    assert purge_rule_state(pg_db, now) == 1  # once the ingest committed, the next sweep takes it
    assert groups(pg_db) == set()


@pytest.mark.parametrize("batch", [1, 100])
def test_a_sweep_with_nothing_expired_changes_nothing(db: Database, batch: int) -> None:
    now = datetime.now(UTC)
    add_group(db, "hot_spot", "live", now + timedelta(seconds=1))
    assert purge_rule_state(db, now, batch=batch) == 0
    assert groups(db) == {("hot_spot", "live")}
