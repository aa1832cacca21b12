"""Flask application factory. Handlers stay thin: parse, authorise, call one engine service, render."""
from __future__ import annotations

import atexit
from typing import Any

from flask import Flask, jsonify

from engine.config import settings
from engine.store.database import Database


def create_app(config: dict[str, Any] | None = None, start_worker: bool = False) -> Flask:
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=settings().database_url,
        SECRET_KEY=settings().secret_key,
    )
    app.config.update(config or {})
    db = Database(app.config["DATABASE_URL"])
    app.extensions["casegrid_db"] = db

    @app.get("/healthz")
    def healthz() -> Any:
        from sqlalchemy import text

        with db.transaction(readonly=True) as session:
            session.execute(text("SELECT 1"))
        return jsonify(status="ok")

    if start_worker:
        from engine.timers.worker import start_worker_thread

        _thread, stop = start_worker_thread(db, settings().worker_poll_seconds)
        atexit.register(stop.set)
    return app


def get_db(app: Flask) -> Database:
    return app.extensions["casegrid_db"]
