"""REST API under /api/v1 (flask-smorest): marshmallow schemas in, marshmallow schemas out, OpenAPI at
/api/v1/openapi.json. Errors use web.errors' envelope, including webargs' 422s."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from web.api.schemas import ErrorSchema
from web.errors import handle_http


class CasegridApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: Any) -> Any:
        return handle_http(error)


def init_api(app: Flask) -> CasegridApi:
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "casegrid REST API. Authenticate with `Authorization: Bearer <token>` "
                                "(create one on your profile page or with `casegrid token create USER`)."},
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "servers": [{"url": "/"}],
    })
    api = CasegridApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("cookieAuth", {"type": "apiKey", "in": "cookie",
                                                       "name": app.config["SESSION_COOKIE_NAME"]})
    from web.api import attachments, audit, cases, definitions, events, incidents, me, migrations, sla, tasks

    for module in (me, definitions, migrations, cases, tasks, attachments, sla, audit, events, incidents):
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    # flask-smorest replaced our HTTPException handler with its own; put ours back.
    app.register_error_handler(Exception, _unexpected)
    return api


def _unexpected(exc: Exception) -> Any:
    from web.errors import handle_unexpected

    return handle_unexpected(exc)
