"""gunicorn serves `web.wsgi:app` against a database given by the environment."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_healthz_on_a_temporary_sqlite_database(tmp_path, sqlite_template):
    import shutil

    db_file = tmp_path / "casegrid.sqlite3"
    shutil.copy(sqlite_template, db_file)
    port = _free_port()
    env = {**os.environ, "CASEGRID_DATABASE_URL": f"sqlite:///{db_file}", "CASEGRID_INSTANCE_DIR": str(tmp_path),
           "CASEGRID_SECRET_KEY": "gunicorn-test"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "web.wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200 and b'"ok"' in response.read()
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer: " + proc.stdout.read().decode(errors="replace")[-2000:])
                time.sleep(0.3)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/tasks", timeout=5)
            pytest.fail("the API answered without a token")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=15)
