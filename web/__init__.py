"""Flask application factory. Handlers stay thin: parse, authorise, call one engine service, render.

Blueprints: web.auth (sign-in, profile, tokens), web.ui (inbox, tasks, cases, attachment downloads),
web.api (/api/v1), web.ops (/healthz, /metrics). The studio and dashboard plug in the same way: see `register_feature`.
"""
from __future__ import annotations

import atexit
from typing import Any

from flask import Blueprint, Flask

from engine.app.boot import boot
from engine.config import settings
from engine.store.database import Database
from web import templatecache
from web.appconfig import flask_config


def create_app(config: dict[str, Any] | None = None, start_worker: bool = False) -> Flask:
    boot()
    app = Flask(__name__)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": templatecache.SHARED}
    config = dict(config or {})
    # A SECRET_KEY given by the caller (tests, embedding) means no key file is read or created.
    app.config.update(flask_config(settings(), secret_key=config.get("SECRET_KEY")))
    app.config.update(config)
    # Not named `db`: the web.db module imported below would shadow it, and the embedded worker would be
    # handed the module (whose transactions need an app context it has not got) instead of the database.
    database = Database(app.config["DATABASE_URL"])
    app.extensions["casegrid_db"] = database

    from web import bodies, db, errors, files, i18n, identity, nav, ops
    from web.api import init_api
    from web.auth import bp as auth_bp
    from web.auth import sso
    from web.ui import bp as ui_bp

    bodies.init_app(app)
    db.init_app(app)
    identity.init_app(app)
    files.init_app(app)
    i18n.init_app(app)
    nav.init_app(app)
    errors.init_app(app)
    ops.init_app(app)
    app.register_blueprint(auth_bp)
    sso.init_app(app)
    app.register_blueprint(ui_bp)
    init_api(app)
    for feature in _optional_features():
        register_feature(app, feature)

    if start_worker:
        from engine.app.worker import start_worker_thread

        _thread, stop = start_worker_thread(database, settings().worker_poll_seconds, store=files.file_store_of(app))
        atexit.register(stop.set)
    return app


def _optional_features() -> list[Blueprint]:
    """Blueprints of web/studio, web/dashboard, web/incidents, web/bulletins, web/apidocs and web/situation, when those packages exist (they export `bp`)."""
    import importlib

    found = []
    for name in ("web.studio", "web.dashboard", "web.incidents", "web.bulletins", "web.apidocs", "web.situation"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.append(module.bp)
    return found


def register_feature(app: Flask, blueprint: Blueprint) -> None:
    """Register a UI blueprint; its `nav_items` (web.nav.NavItem list), if any, join the top navigation."""
    app.register_blueprint(blueprint)
    for item in getattr(blueprint, "nav_items", []):
        app.extensions["casegrid_nav"].append(item)


def get_db(app: Flask) -> Database:
    return app.extensions["casegrid_db"]
