"""The background worker loop: sleep until the next due timer (or a short poll), fire, repeat."""
from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import UTC, datetime

from engine.store.database import Database
from engine.timers.service import fire_due, next_due_at

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def seconds_until_next(db: Database, poll_seconds: float) -> float:
    with db.transaction(readonly=True) as session:
        due = next_due_at(session)
    if due is None:
        return poll_seconds
    # New timers may be created by other processes at any moment, so never sleep past one poll.
    return max(0.0, min(poll_seconds, (due - datetime.now(UTC)).total_seconds()))


def run_worker(db: Database, stop: threading.Event, poll_seconds: float = 2.0, name: str | None = None) -> None:
    name = name or worker_name()
    log.info("worker %s started", name)
    while not stop.is_set():
        try:
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
