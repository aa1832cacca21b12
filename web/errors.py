"""One error shape for the API, `{"error": {"code", "message", "details"}}`, and friendly pages for the UI."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.commands.incidents import record_failed_action
from engine.errors import CasegridError
from web.db import database
from web.error_texts import FALLBACK_TEXTS, word
from web.i18n import _, current_locale, process_name, role_name, unit_name

log = logging.getLogger("casegrid.web")

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
    429: "too_many_requests", 500: "internal_error", 501: "not_implemented", 503: "unavailable",
}


# Pages for people under /api/: answered (and refused) as pages, like every other page.
API_PAGES = frozenset({"/api/docs"})


def wants_json() -> bool:
    if (request.path.startswith("/api/") and request.path not in API_PAGES) or request.path == "/metrics":
        return True
    user = g.get("user")
    if user is not None and user.via == "token":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def envelope(status: int, code: str, message: str, details: Any = None,
             headers: dict[str, str] | None = None) -> Response:
    response = jsonify(error={"code": code, "message": message, "details": details if details is not None else {}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_webargs(messages: Any) -> Any:
    """webargs reports {"json": {field: [...]}, "query": {...}}; clients want {field: [...]}."""
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "files", "headers", "view_args"}:
        merged: dict[str, Any] = {}
        for part in messages.values():
            if isinstance(part, dict):
                merged.update(part)
            else:
                merged.setdefault("_schema", part)
        return merged
    return messages


def _page(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    body = render_template("errors/error.html", status=status, message=message)
    return body, status, headers or {}


class _Names:
    """How an error page names people, units and processes: as colleagues know them."""

    @staticmethod
    def person(username: Any) -> str:
        if not username:
            return ""
        from engine.org.service import display_names
        from web.db import transaction

        with transaction(readonly=True) as session:
            return display_names(session, [str(username)], current_locale()).get(str(username), str(username))

    @staticmethod
    def unit(code: Any) -> str:
        return unit_name(code)

    @staticmethod
    def process(key: Any) -> str:
        return process_name(key)

    @staticmethod
    def role(code: Any) -> str:
        return role_name(code)


def error_text(exc: CasegridError) -> str:
    """The engine error in the reader's language, from the catalogue (web/error_texts.py)."""
    return word(exc, current_locale(), _Names())


def _http_text(status: int, code: str, message: str) -> str:
    """A page's words for an HTTP refusal: the catalogue's for its kind in zh, werkzeug's in en."""
    if current_locale() != "zh":
        return message
    if status == 422:
        return FALLBACK_TEXTS["invalid_input"][0]
    if code in FALLBACK_TEXTS:
        return FALLBACK_TEXTS[code][0]
    return _(message)


def handle_http(exc: HTTPException) -> Any:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    details = _flatten_webargs(data.get("messages")) if isinstance(data, dict) else None
    headers = {"WWW-Authenticate": 'Bearer realm="casegrid"'} if status == 401 else {}
    if isinstance(data, dict) and data.get("headers"):
        headers.update(data["headers"])
    valid_methods = getattr(exc, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    code = "csrf_failed" if isinstance(exc, CSRFError) else CODES.get(status, "error")
    message = (data.get("message") if isinstance(data, dict) else None) or exc.description or exc.name
    if status == 422 and details:
        message = "the request has invalid fields"
    if wants_json():
        return envelope(status, code, str(message), details, headers)
    return _page(status, _http_text(status, code, str(message)), headers)


def _note_failed_action(exc: CasegridError) -> None:
    """A definition's script failed on a user's action: the user gets the 422, operators see it repeat."""
    if request.method in ("GET", "HEAD"):
        return
    user = g.get("user")
    record_failed_action(database(), exc, user.username if user is not None else "anonymous")


def handle_casegrid(exc: CasegridError) -> Any:
    _note_failed_action(exc)
    headers = {}
    retry = getattr(exc, "retry_after", None)
    if retry:
        headers["Retry-After"] = str(retry)
    if wants_json():
        return envelope(exc.status, exc.code, exc.message, exc.details, headers)
    return _page(exc.status, error_text(exc), headers)


# PostgreSQL's serialization failure and detected deadlock: the database refused one of two overlapping
# transactions, which is a conflict of timing like a stale version, not a fault of the server.
CONCURRENCY_SQLSTATES = frozenset({"40001", "40P01"})
CONCURRENT_WRITE_MESSAGE = "Someone else changed this at the same moment; nothing of yours was saved. Reload and try again."


def handle_concurrent_write(exc: Exception) -> Any:
    """A write that lost to a concurrent writer (version check, unique key, deadlock victim): 409."""
    if isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) not in CONCURRENCY_SQLSTATES:
        return handle_unexpected(exc)
    log.info("concurrent write refused on %s %s: %s", request.method, request.path, type(exc).__name__)
    if wants_json():
        return envelope(409, "conflict", CONCURRENT_WRITE_MESSAGE)
    return _page(409, _(CONCURRENT_WRITE_MESSAGE))


def handle_unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if wants_json():
        return envelope(500, "internal_error", "an internal error occurred; it has been logged")
    return _page(500, _http_text(500, "internal_error", InternalServerError.description))


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(CasegridError, handle_casegrid)
    for concurrent in (StaleDataError, IntegrityError, OperationalError):
        app.register_error_handler(concurrent, handle_concurrent_write)
    app.register_error_handler(Exception, handle_unexpected)
