"""The background worker loop: sleep until the next due timer (or a short poll), fire, repeat.

Every ``STATE_PURGE_SECONDS`` it also purges expired event-rule state (engine.rules.state): ingest
purges only its own rule set, so without this sweep a rule set that stops receiving events would keep
its last groups' rows.

Every ``ATTACHMENT_PURGE_SECONDS`` it purges pending uploads nobody named and their files
(engine.attachments.purge.purge_orphans), and every ``FILE_SWEEP_SECONDS`` it walks the upload
directory for files no row names (a refused form's); both are safe with any number of workers.

Every ``BULLETIN_SECONDS`` it produces the bulletins (rules/bulletins/*.yaml) whose period has closed and
whose issue time (working-calendar aware) has come, once each (engine.commands.bulletins).

Every ``EVENT_KEY_PURGE_SECONDS`` it deletes idempotency keys of external events older than
CASEGRID_EVENT_KEY_RETENTION_DAYS (engine.events.retention), a bounded number of batches per round;
while a backlog remains it comes back after ``EVENT_KEY_CATCH_UP_SECONDS`` instead.

Every ``STALL_SCAN_SECONDS`` it looks for running cases that wait on nothing visible and opens a
``stalled`` incident for each (engine.incidents.stalls), so no case stalls unseen.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from engine.attachments.purge import PurgeResult, purge_orphans, sweep_files
from engine.attachments.storage import FileStore
from engine.commands.bulletins import produce_due_bulletin
from engine.commands.events import key_cutoff, purge_event_keys
from engine.commands.incidents import report_stalled_cases
from engine.commands.timers import fire_due
from engine.config import settings
from engine.events.retention import PURGE_BATCH as KEY_PURGE_BATCH
from engine.rules.state import PURGE_BATCH, purge_expired
from engine.store.database import Database
from engine.timers.service import next_due_at

log = logging.getLogger(__name__)

# Expired rows are already invisible to ingest (state.load skips them): the sweep only frees space,
# so once a minute is plenty and costs one indexed query when there is nothing to do.
STATE_PURGE_SECONDS = 60.0
# Batches per sweep: bounds the time a sweep keeps timers waiting; what is left goes next sweep.
STATE_PURGE_BATCHES = 10
# Orphaned uploads only cost disk space, and are purged only once hours old: rarely is enough.
ATTACHMENT_PURGE_SECONDS = 600.0
FILE_SWEEP_SECONDS = 6 * 3600.0
# A stalled case is an engine or definition defect, rare by nature: a sweep every few minutes makes it
# visible soon enough and costs one indexed query when there is none.
STALL_SCAN_SECONDS = 300.0
# A bulletin is due once a period (a week at the shortest), at the opening of a working day: a check a
# few minutes apart is soon enough, and costs one indexed lookup per definition when nothing is due.
BULLETIN_SECONDS = 300.0
BULLETINS_PER_ROUND = 20
# Idempotency keys are invisible until a redelivery asks for one: purging them only frees space. A
# round is bounded (its batches hold the worker from firing timers); a backlog (the first purge of a
# table that grew for months) is worked off in rounds a few seconds apart.
EVENT_KEY_PURGE_SECONDS = 600.0
EVENT_KEY_CATCH_UP_SECONDS = 5.0
EVENT_KEY_BATCHES = 20


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


@dataclass(frozen=True)
class KeyPurge:
    deleted: int
    cutoff: datetime
    batches: int  # transactions run
    more_left: bool  # stopped at the batch limit with keys older than the cut-off still there


def purge_event_keys_before(db: Database, older_than_days: int | None = None, now: datetime | None = None,
                            batch: int = KEY_PURGE_BATCH, batches: int | None = EVENT_KEY_BATCHES) -> KeyPurge:
    """Delete idempotency keys older than ``older_than_days`` (default CASEGRID_EVENT_KEY_RETENTION_DAYS),
    ``batch`` per transaction, at most ``batches`` transactions (None: until none is left)."""
    cutoff = key_cutoff(now or datetime.now(UTC), older_than_days)
    deleted = runs = 0
    while batches is None or runs < batches:
        with db.transaction() as session:
            purged = purge_event_keys(session, cutoff, batch)
        runs += 1
        deleted += purged
        if purged < batch:
            return KeyPurge(deleted, cutoff, runs, more_left=False)
    return KeyPurge(deleted, cutoff, runs, more_left=True)


def default_file_store() -> FileStore:
    return FileStore(settings().upload_dir, settings().upload_max_bytes)


def orphan_age() -> timedelta:
    return timedelta(hours=settings().upload_orphan_hours)


def purge_attachments(db: Database, store: FileStore | None = None, older_than: timedelta | None = None,
                      files: bool = False, now: datetime | None = None) -> PurgeResult:
    """Pending uploads older than `older_than` (default ``CASEGRID_UPLOAD_ORPHAN_HOURS``) and their files;
    with `files`, also every stored file no row names (a walk of the whole upload directory)."""
    store = store or default_file_store()
    older_than = orphan_age() if older_than is None else older_than
    result = purge_orphans(db, store, older_than, now=now)
    if files:
        result = result + sweep_files(db, store, older_than, now=now)
    return result


def scan_for_stalls(db: Database, name: str) -> int:
    """Open an incident for each running case that waits on nothing visible; how many were found."""
    with db.transaction() as session:
        return len(report_stalled_cases(session, name))


def produce_bulletins(db: Database, now: datetime | None = None, limit: int = BULLETINS_PER_ROUND) -> list[str]:
    """Produce every bulletin that is due, one transaction each; "name period" of each one produced."""
    from sqlalchemy.exc import IntegrityError

    made: list[str] = []
    for _ in range(limit):
        try:
            with db.transaction() as session:
                produced = produce_due_bulletin(session, now)
                if produced is None:
                    break
                made.append(f"{produced.bulletin.definition} {produced.bulletin.period}")
        except IntegrityError:
            continue  # another worker stored it first: it is produced, once
    return made


def run_worker(db: Database, stop: threading.Event, poll_seconds: float = 2.0, name: str | None = None, *,
               store: FileStore | None = None) -> None:
    """`store`: the upload directory to purge orphans from (default: the one the settings name)."""
    name = name or worker_name()
    store = store or default_file_store()
    log.info("worker %s started", name)
    next_purge = next_attachment_purge = time.monotonic()
    next_sweep = time.monotonic() + FILE_SWEEP_SECONDS
    next_stall_scan = time.monotonic() + STALL_SCAN_SECONDS
    next_bulletins = next_key_purge = time.monotonic()
    while not stop.is_set():
        try:
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + STATE_PURGE_SECONDS
                purged = purge_rule_state(db)
                if purged:
                    log.info("worker %s: purged %d expired event-rule group(s)", name, purged)
            if time.monotonic() >= next_attachment_purge:
                next_attachment_purge = time.monotonic() + ATTACHMENT_PURGE_SECONDS
                sweep = time.monotonic() >= next_sweep
                if sweep:
                    next_sweep = time.monotonic() + FILE_SWEEP_SECONDS
                result = purge_attachments(db, store, files=sweep)
                if result.rows or result.files:
                    log.info("worker %s: purged %d orphaned upload(s), %d file(s)", name, result.rows, result.files)
            if time.monotonic() >= next_key_purge:
                keys = purge_event_keys_before(db)
                next_key_purge = time.monotonic() + (EVENT_KEY_CATCH_UP_SECONDS if keys.more_left
                                                     else EVENT_KEY_PURGE_SECONDS)
                if keys.deleted:
                    log.info("worker %s: purged %d event idempotency key(s) received before %s", name,
                             keys.deleted, keys.cutoff.isoformat(timespec="seconds"))
            if time.monotonic() >= next_stall_scan:
                next_stall_scan = time.monotonic() + STALL_SCAN_SECONDS
                stalled = scan_for_stalls(db, name)
                if stalled:
                    log.warning("worker %s: %d running case(s) wait on nothing; incidents opened", name, stalled)
            if time.monotonic() >= next_bulletins:
                next_bulletins = time.monotonic() + BULLETIN_SECONDS
                for made in produce_bulletins(db):
                    log.info("worker %s: bulletin %s produced", name, made)
            fired = fire_due(db, name, limit=200)
            if fired:
                continue
            stop.wait(seconds_until_next(db, poll_seconds))
        except Exception:  # noqa: BLE001 - a database hiccup must not kill the worker thread
            log.exception("worker %s: sweep failed; retrying", name)
            stop.wait(poll_seconds)
    log.info("worker %s stopped", name)


def start_worker_thread(db: Database, poll_seconds: float = 2.0,
                        store: FileStore | None = None) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(db, stop, poll_seconds), kwargs={"store": store},
                              name="casegrid-worker", daemon=True)
    thread.start()
    return thread, stop
