"""The orphan purge: pending uploads nobody named go after CASEGRID_UPLOAD_ORPHAN_HOURS, and a stored file
goes only when no row names its content any more (files are shared by content)."""
from __future__ import annotations

import io
import json
import os
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.app.worker import purge_attachments, run_worker
from engine.attachments.purge import purge_orphans, sweep_files
from engine.attachments.storage import FileStore
from engine.cases.service import start_case
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.attachments import Attachment

DAY = timedelta(hours=24)
NOW = datetime.now(UTC)
OLD = NOW - timedelta(hours=30)
REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "uploads", 1024 * 1024)


def _put(store: FileStore, body: bytes, written: datetime = OLD) -> str:
    blob = store.put(io.BytesIO(body))
    assert blob is not None
    stamp = written.timestamp()
    os.utime(store.path_for(blob.sha256), (stamp, stamp))
    return blob.sha256


def _row(db: Database, sha256: str, stored_at: datetime = OLD, case_id: int | None = None,
         by: str = "huanwei_h1") -> int:
    with db.transaction() as session:
        row = Attachment(case_id=case_id, field_name="", file_name="photo.jpg", content_type="image/jpeg",
                         size=1, sha256=sha256, stored_by=by, stored_at=stored_at)
        session.add(row)
        session.flush()
        return row.id


def _ids(db: Database) -> list[int]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(Attachment.id).order_by(Attachment.id)))


def _case(db: Database) -> int:
    with db.transaction() as session:
        return start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id


def test_pending_uploads_older_than_the_age_are_deleted_with_their_files(db, store):
    sha = _put(store, b"never named")
    _row(db, sha)
    result = purge_orphans(db, store, DAY, now=NOW)
    assert (result.rows, result.files) == (1, 1)
    assert _ids(db) == [] and not store.exists(sha)


def test_young_pending_uploads_and_their_files_are_kept(db, store):
    sha = _put(store, b"just uploaded", written=NOW - timedelta(hours=1))
    young = _row(db, sha, stored_at=NOW - timedelta(hours=1))
    result = purge_orphans(db, store, DAY, now=NOW)
    assert (result.rows, result.files) == (0, 0)
    assert _ids(db) == [young] and store.exists(sha)


def test_attachments_bound_to_a_case_are_never_purged_however_old(deployed_db, store):
    sha = _put(store, b"on a case for years")
    bound = _row(deployed_db, sha, stored_at=NOW - timedelta(days=900), case_id=_case(deployed_db))
    result = purge_orphans(deployed_db, store, DAY, now=NOW)
    assert (result.rows, result.files) == (0, 0)
    assert _ids(deployed_db) == [bound] and store.exists(sha)
    assert sweep_files(deployed_db, store, DAY, now=NOW).files == 0 and store.exists(sha)


def test_a_file_whose_content_another_row_still_names_is_kept_when_an_orphan_with_it_goes(deployed_db, store):
    sha = _put(store, b"the same photo twice")
    bound = _row(deployed_db, sha, case_id=_case(deployed_db))
    _row(deployed_db, sha)  # the same content uploaded again and never named
    young = _row(deployed_db, _put(store, b"shared with a young upload"), stored_at=NOW)
    _row(deployed_db, _put(store, b"shared with a young upload"))
    result = purge_orphans(deployed_db, store, DAY, now=NOW)
    assert (result.rows, result.files) == (2, 0)
    assert _ids(deployed_db) == [bound, young] and store.exists(sha)


def test_a_file_written_again_meanwhile_is_put_back_not_deleted(db, store):
    """An upload of the same content rewrites the file before its row commits: a fresh file stays."""
    sha = _put(store, b"uploaded again right now", written=NOW)
    _row(db, sha)
    result = purge_orphans(db, store, DAY, now=NOW)
    assert (result.rows, result.files) == (1, 0) and store.exists(sha)
    # And a row committed between the first check and the removal keeps the file too.
    old = _put(store, b"named while being purged")
    assert not store.remove_unless_fresh(old, NOW.timestamp(), still_unreferenced=lambda: False)
    assert store.exists(old) and list((store.root / "tmp").iterdir()) == []


def test_the_purge_deletes_in_bounded_batches_and_leaves_the_rest_for_the_next_call(db, store):
    sha = _put(store, b"many orphans of one file")
    for _ in range(5):
        _row(db, sha)
    assert purge_orphans(db, store, DAY, now=NOW, batch=2, batches=2).rows == 4
    assert len(_ids(db)) == 1 and store.exists(sha)
    assert purge_orphans(db, store, DAY, now=NOW, batch=2, batches=2).files == 1
    assert _ids(db) == [] and not store.exists(sha)


def test_the_file_sweep_removes_old_files_no_row_names_and_stale_temporary_files(deployed_db, store):
    refused = _put(store, b"the bytes of a refused form")  # its row was rolled back
    young = _put(store, b"a form being posted right now", written=NOW)
    named = _put(store, b"on a case")
    _row(deployed_db, named, case_id=_case(deployed_db))
    stale = store.root / "tmp" / "upload-crashed"
    stale.write_bytes(b"half")
    os.utime(stale, (OLD.timestamp(), OLD.timestamp()))
    assert sweep_files(deployed_db, store, DAY, now=NOW).files == 1
    assert not store.exists(refused) and store.exists(young) and store.exists(named) and not stale.exists()


def test_the_worker_purges_orphans_on_its_first_round(db, store):
    sha = _put(store, b"left by an api client")
    _row(db, sha)
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(db, stop, 0.05), kwargs={"store": store})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while _ids(db) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert _ids(db) == [] and not store.exists(sha)


def test_the_age_comes_from_casegrid_upload_orphan_hours(db, store, monkeypatch):
    from engine.config import load_settings, settings

    assert load_settings({}).upload_orphan_hours == 24
    monkeypatch.setenv("CASEGRID_UPLOAD_ORPHAN_HOURS", "48")
    settings.cache_clear()
    try:
        sha = _put(store, b"thirty hours old")
        _row(db, sha)
        assert purge_attachments(db, store, now=NOW).rows == 0
        assert purge_attachments(db, store, older_than=timedelta(hours=1), now=NOW).rows == 1
    finally:
        monkeypatch.delenv("CASEGRID_UPLOAD_ORPHAN_HOURS")
        settings.cache_clear()


def test_casegrid_attachments_purge_removes_old_orphans_and_reports_what_it_did(cli, sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "cli.sqlite3")
    db = Database(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    store = FileStore(tmp_path / "instance" / "uploads", 1024)  # the default: next to the instance's database
    try:
        kept = _put(store, b"young", written=NOW)
        _row(db, kept, stored_at=NOW)
        gone = _put(store, b"old")
        _row(db, gone)
    finally:
        db.dispose()
    result = cli("attachments", "purge", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"rows": 1, "files": 1}
    assert store.exists(kept) and not store.exists(gone)
    refused = cli("attachments", "purge", "--older-than-hours", "-1")
    assert refused.returncode != 0 and refused.stderr.startswith("error: ")


def test_two_purges_at_once_on_postgresql_delete_each_orphan_once(pg_db, store):
    sha = _put(store, b"shared by many orphans")
    for _ in range(40):
        _row(pg_db, sha)
    results = []

    def purge() -> None:
        results.append(purge_orphans(pg_db, store, DAY, now=NOW, batch=3, batches=20))

    threads = [threading.Thread(target=purge) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r.rows for r in results) == 40 and sum(r.files for r in results) == 1
    assert _ids(pg_db) == [] and not store.exists(sha)


def test_on_postgresql_a_pending_upload_a_form_is_binding_right_now_is_skipped_by_the_purge(pg_db, store):
    sha = _put(store, b"being named in a completion")
    pending = _row(pg_db, sha)
    with pg_db.transaction() as session:
        # What engine.attachments.service._kept does before binding: read the row again under a lock.
        assert session.get(Attachment, pending, with_for_update=True) is not None
        result = purge_orphans(pg_db, store, DAY, now=NOW)  # another connection, as another worker
        assert (result.rows, result.files) == (0, 0)
    assert _ids(pg_db) == [pending] and store.exists(sha)
