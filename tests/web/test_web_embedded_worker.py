"""`casegrid serve` runs the timer worker inside the web process: it must be handed the app's database.

The worker thread runs outside any Flask app context, so a handle that needs one (the web.db module)
fails every sweep with "Working outside of application context" while the site itself looks fine."""
from __future__ import annotations

import threading
from typing import Any

import pytest

import engine.app.worker as worker
from engine.app.worker import purge_rule_state
from engine.store.database import Database
from web import create_app


def test_the_embedded_worker_gets_the_apps_database_and_can_use_it_outside_a_request(
        web_db: Database, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[Any] = []

    def record(db: Any, poll_seconds: float = 2.0, store: Any = None) -> tuple[threading.Thread, threading.Event]:
        handed.append(db)
        return threading.Thread(target=lambda: None), threading.Event()

    monkeypatch.setattr(worker, "start_worker_thread", record)
    app = create_app({"DATABASE_URL": web_db.url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads")}, start_worker=True)
    try:
        assert len(handed) == 1
        assert handed[0] is app.extensions["casegrid_db"]
        assert isinstance(handed[0], Database)
        assert purge_rule_state(handed[0]) == 0  # a sweep, run as the worker thread runs it: no app context
    finally:
        app.extensions["casegrid_db"].dispose()
