"""Flask configuration from engine settings and the environment; the secret key is generated once if unset."""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from engine.config import Settings
from web.maptiles import tile_layer_from

SECRET_FILE = "secret_key"


def resolve_secret_key(explicit: str | None, instance_dir: Path) -> str:
    """CASEGRID_SECRET_KEY, else instance/secret_key, created on first use.

    Created through a hard link of a fully written temporary file so that several gunicorn workers
    starting at once all end up with the same key (the link fails for every worker but the first).
    """
    if explicit:
        return explicit
    path = instance_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=instance_dir, prefix=".secret-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, secrets.token_hex(32).encode("ascii"))
        os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


def flask_config(settings: Settings, env: dict[str, str] | None = None, secret_key: str | None = None) -> dict[str, Any]:
    env = dict(os.environ if env is None else env)
    secure = env.get("CASEGRID_SECURE_COOKIES", "0").lower() in ("1", "true", "yes")
    return {
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": secret_key or resolve_secret_key(settings.secret_key, settings.instance_dir),
        "SESSION_COOKIE_NAME": "casegrid_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Behind TLS in production; the embedded default on 127.0.0.1 runs plain HTTP.
        "SESSION_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("CASEGRID_SESSION_HOURS", "10"))),
        # CSRF tokens live as long as the session; checked by web.identity, not on every request blindly.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": secure,
        # The whole request: every file of one form post together. Each file is limited on its own by
        # UPLOAD_MAX_BYTES (a field error on the form); this one only stops absurd bodies early.
        "MAX_CONTENT_LENGTH": int(env.get("CASEGRID_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024))),
        # A JSON body (the API) is held to far less than a form post with files: 413 above this.
        "CASEGRID_MAX_JSON_BYTES": int(env.get("CASEGRID_MAX_JSON_BYTES", str(2 * 1024 * 1024))),
        "UPLOAD_DIR": str(settings.upload_dir),
        "UPLOAD_MAX_BYTES": settings.upload_max_bytes,
        "API_TITLE": "casegrid",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # A Prometheus scrape presents this as its bearer token; unset, only administrators read /metrics.
        "CASEGRID_METRICS_TOKEN": env.get("CASEGRID_METRICS_TOKEN", ""),
        "CASEGRID_LOGIN_PER_USER": int(env.get("CASEGRID_LOGIN_PER_USER", "5")),
        "CASEGRID_LOGIN_PER_ADDRESS": int(env.get("CASEGRID_LOGIN_PER_ADDRESS", "20")),
        "CASEGRID_LOGIN_WINDOW_MINUTES": int(env.get("CASEGRID_LOGIN_WINDOW_MINUTES", "15")),
        # A tile server under the district's outlines (web.maptiles); None: outlines only, no outside request.
        "MAP_TILES": tile_layer_from(env),
    }
