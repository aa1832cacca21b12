"""The background worker loop: sleep until the next due timer (or a short poll), fire, repeat.

Every ``STATE_PURGE_SECONDS`` it also purges expired event-rule state (engine.rules.state): ingest
purges only its own rule set, so without this sweep a rule set that stops receiving events would keep
its last groups' rows.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime

from engine.rules.state import PURGE_BATCH, purge_expired
from engine.store.database import Database
from engine.timers.service import fire_due, next_due_at

log = logging.getLogger(__name__)

# Expired rows are already invisible to ingest (state.load skips them): the sweep only frees space,
# so once a minute is plenty and costs one indexed query when there is nothing to do.
STATE_PURGE_SECONDS = 60.0
# Batches per sweep: bounds the time a sweep keeps timers waiting; what is left goes next sweep.
STATE_PURGE_BATCHES = 10


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def seconds_until_next(db: Database, poll_seconds: float) -> float:
    with db.transaction(readonly=True) as session:
        due = next_due_at(session)
    if due is None:
        return poll_seconds
    # New timers may be created by other processes at any moment, so never sleep past one poll.
    return max(0.0, min(poll_seconds, (due - datetime.now(UTC)).total_seconds()))


def purge_rule_state(db: Database, now: datetime | None = None, batch: int = PURGE_BATCH,
                     batches: int = STATE_PURGE_BATCHES) -> int:
    """Delete event-rule groups expired by ``now`` (default: the clock), ``batch`` groups per transaction.

    One transaction per batch keeps each one short: the advisory locks it tries are held until its
    commit, and an ingest of a group being purged would wait for them."""
    at = (now or datetime.now(UTC)).timestamp()
    total = 0
    for _ in range(batches):
        with db.transaction() as session:
            purged = purge_expired(session, at, batch)
        total += purged
        if purged == 0:  # nothing expired, or every expired group is being ingested right now
            break
    return total


def run_worker(db: Database, stop: threading.Event, poll_seconds: float = 2.0, name: str | None = None) -> None:
    name = name or worker_name()
    log.info("worker %s started", name)
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + STATE_PURGE_SECONDS
                purged = purge_rule_state(db)
                if purged:
                    log.info("worker %s: purged %d expired event-rule group(s)", name, purged)
            fired = fire_due(db, name, limit=200)
            if fired:
                continue
            stop.wait(seconds_until_next(db, poll_seconds))
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker thread
            log.exception("worker %s: sweep failed; retrying", name)
            stop.wait(poll_seconds)
    log.info("worker %s stopped", name)


def start_worker_thread(db: Database, poll_seconds: float = 2.0) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(db, stop, poll_seconds), name="casegrid-worker", daemon=True)
    thread.start()
    return thread, stop
