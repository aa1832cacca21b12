"""docs/operations.md's backup and restore commands work as written: run verbatim against a scratch
PostgreSQL database seeded with the demo, they restore into a new database with the same rows."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.app.bootstrap import initialise
from engine.config import PROJECT_ROOT
from engine.store.database import Database

DOCS = PROJECT_ROOT / "docs" / "operations.md"
BLOCK = re.compile(r"<!-- ops:(\w+) -->\n```sh\n(.*?)```", re.S)
MAIN_TABLES = ("cases", "work_items", "audit_events", "users", "process_versions", "timers")


def documented_commands() -> dict[str, str]:
    return dict(BLOCK.findall(DOCS.read_text(encoding="utf-8")))


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.scalars(text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE'")).all()
            return {t: connection.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in sorted(tables)}
    finally:
        engine.dispose()


def drop_database(name: str) -> None:
    admin = create_engine(os.environ["CASEGRID_TEST_PG_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                           {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def test_the_documented_backup_and_restore_commands_restore_every_row_into_a_new_database(pg_url, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        pytest.skip("pg_dump, pg_restore and psql (postgresql-client) are needed")
    commands = documented_commands()
    assert set(commands) >= {"backup", "restore"}, "docs/operations.md lost its marked command blocks"
    database = Database(pg_url)
    try:
        initialise(database, PROJECT_ROOT, demo=True)
    finally:
        database.dispose()
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "abcdef").write_bytes(b"a photo")
    before = row_counts(pg_url)
    assert all(before[table] > 0 for table in MAIN_TABLES), before

    restored_name = make_url(pg_url).database + "_restored"
    env = {**os.environ, "CASEGRID_DATABASE_URL": pg_url, "CASEGRID_UPLOAD_DIR": str(uploads)}
    try:
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", commands["backup"] + commands["restore"]],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        restored_url = make_url(pg_url).set(database=restored_name).render_as_string(hide_password=False)
        assert f"CASEGRID_DATABASE_URL={restored_url}" in run.stdout
        assert row_counts(restored_url) == before
        [copied] = list(tmp_path.glob("casegrid-*.dump.uploads/ab/abcdef"))
        assert copied.read_bytes() == b"a photo"
    finally:
        drop_database(restored_name)
