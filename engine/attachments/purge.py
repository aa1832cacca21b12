"""Remove what no case will ever name: pending uploads never bound, and files no row names.

Two kinds of leftovers:

- *rows without a case* older than ``CASEGRID_UPLOAD_ORPHAN_HOURS``: files uploaded ahead of a form
  (engine.attachments.unbound) that no completion or start named. A start form's own rows are without
  a case only inside the start's transaction, so they are never old.
- *files without a row*: the bytes of a refused form (its rows rolled back) or of purged rows.

Files are content-addressed and shared: a file goes only when no row at all names its sha256. The
order makes concurrent purges (any number of workers) and uploads safe:

1. delete a bounded batch of old rows without a case in one short transaction (on PostgreSQL the
   rows are claimed ``FOR UPDATE SKIP LOCKED``, so a form binding one of them right now keeps it,
   and two purges never wait on each other), and commit;
2. for each sha256 of the deleted rows, ask the database (committed state) whether a row still names
   it; if none does, ``FileStore.remove_unless_fresh`` renames the file aside, keeps it if it was
   written recently (an upload of the same content may be about to commit its row: ``put`` always
   rewrites the file) and asks the database again before deleting it.

The service takes a Database, not a session: each batch is its own transaction, and files are removed
only after the rows' deletion is committed.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.attachments.storage import FileStore
from engine.store.database import Database
from engine.store.models.attachments import Attachment

log = logging.getLogger(__name__)

PURGE_BATCH = 200
PURGE_BATCHES = 10
SWEEP_CHUNK = 500


@dataclass(frozen=True)
class PurgeResult:
    rows: int = 0
    files: int = 0

    def __add__(self, other: PurgeResult) -> PurgeResult:
        return PurgeResult(self.rows + other.rows, self.files + other.files)


def purge_orphans(db: Database, store: FileStore, older_than: timedelta, now: datetime | None = None,
                  batch: int = PURGE_BATCH, batches: int = PURGE_BATCHES) -> PurgeResult:
    """Delete rows without a case stored before ``now - older_than``, at most ``batch`` per transaction and
    ``batches`` transactions per call (what is left goes next call); then remove the files of those
    rows that no row names any more and that were not written since that cutoff."""
    cutoff = (now or datetime.now(UTC)) - older_than
    rows = 0
    hashes: set[str] = set()
    for _ in range(batches):
        with db.transaction() as session:
            deleted = _delete_batch(session, cutoff, batch)
        rows += len(deleted)
        hashes.update(deleted)
        if len(deleted) < batch:
            break
    files = _remove_unreferenced(db, store, sorted(hashes), cutoff.timestamp())
    if rows or files:
        log.info("attachments: purged %d pending upload(s) older than %s and %d file(s)", rows, cutoff, files)
    return PurgeResult(rows, files)


def sweep_files(db: Database, store: FileStore, older_than: timedelta, now: datetime | None = None,
                limit: int = 10_000) -> PurgeResult:
    """Remove stored files that no row names and that were last written before ``now - older_than``
    (a refused form's files, whose rows were rolled back), at most `limit` per call; and temporary
    files left in ``tmp/`` by a crash. Walks the whole upload directory: run it rarely."""
    before = ((now or datetime.now(UTC)) - older_than).timestamp()
    for stale in store.stale_temporary(before):
        stale.unlink(missing_ok=True)
    removed = 0
    chunk: list[str] = []
    for sha256, mtime in store.stored():
        if mtime >= before:
            continue
        chunk.append(sha256)
        if len(chunk) >= SWEEP_CHUNK:
            removed += _remove_unreferenced(db, store, chunk, before, limit - removed)
            chunk = []
            if removed >= limit:
                return PurgeResult(0, removed)
    if chunk:
        removed += _remove_unreferenced(db, store, chunk, before, limit - removed)
    return PurgeResult(0, removed)


def _delete_batch(session: Session, cutoff: datetime, batch: int) -> list[str]:
    query = (select(Attachment.id, Attachment.sha256)
             .where(Attachment.case_id.is_(None), Attachment.stored_at < cutoff)
             .order_by(Attachment.id).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = session.execute(query).all()
    if not found:
        return []
    # Claimed rows stay without a case (on SQLite the transaction is the only writer); the condition
    # is repeated so that a row bound meanwhile can never be deleted.
    session.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in found]),
                                             Attachment.case_id.is_(None))
                    .execution_options(synchronize_session=False))
    return [row.sha256 for row in found]


def _named(db: Database, hashes: Iterable[str]) -> set[str]:
    """Which of `hashes` some committed row names."""
    wanted = list(hashes)
    found: set[str] = set()
    if not wanted:
        return found
    with db.transaction(readonly=True) as session:
        for start in range(0, len(wanted), SWEEP_CHUNK):
            part = wanted[start:start + SWEEP_CHUNK]
            found.update(session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(part)).distinct()))
    return found


def _remove_unreferenced(db: Database, store: FileStore, hashes: list[str], written_before: float,
                         limit: int | None = None) -> int:
    removed = 0
    named = _named(db, hashes)
    for sha256 in hashes:
        if sha256 in named:
            continue
        if limit is not None and removed >= limit:
            break
        if store.remove_unless_fresh(sha256, written_before, lambda sha=sha256: not _named(db, [sha])):
            removed += 1
    return removed
