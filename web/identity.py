"""Who is asking: a session cookie (browser) or a bearer token (API clients), loaded before every request.

Every endpoint requires a signed-in user unless its view is marked `@public` (the login page, /healthz,
static files). Unsafe methods sent with the session cookie must carry a CSRF token (form field
`csrf_token` or header `X-CSRFToken`); bearer-token requests carry no ambient credential, so they don't.
"""
from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, flash, g, request, session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from werkzeug.exceptions import Unauthorized

from engine.auth.signin import ThrottlePolicy
from engine.auth.tokens import check_token_holder, record_token_failure, token_holder
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.org.service import actor_from_user
from engine.store.models.org import User
from web.db import close_opened, open_for_request, transaction
from web.i18n import _

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
csrf = CSRFProtect()


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    department: str | None
    locale: str
    actor: Actor
    via: str  # "session" or "token"
    has_token: bool = False

    @property
    def roles(self) -> set[str]:
        return self.actor.role_codes

    def may(self, ability: Ability | str) -> bool:
        """Whether the user's roles open `ability` (their `may` in rules/organisation.yaml)."""
        return self.actor.may(ability)

    def may_any(self, abilities: tuple[Ability, ...]) -> bool:
        return any(self.actor.may(ability) for ability in abilities)


def current_user() -> CurrentUser:
    """The signed-in user; views behind the global guard can rely on it."""
    user = g.get("user")
    if user is None:
        raise Unauthorized("sign in first")
    return user


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._casegrid_public = True  # type: ignore[attr-defined]
    return view


def ability_required(*abilities: Ability) -> Callable[[F], F]:
    """Refuse (403, with the first ability's error key) users whose roles open none of `abilities`; for
    whole areas (studio, dashboard). Task and case access is decided per item by the engine."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if not user.may_any(abilities):
                require_ability(user.actor, abilities[0])
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _current(db_session: Session, user: User, via: str) -> CurrentUser:
    return CurrentUser(user.id, user.username, user.display_name or user.username, user.department,
                       user.locale or "zh", actor_from_user(db_session, user), via,
                       has_token=user.api_token_hash is not None)


def _is_public() -> bool:
    if request.endpoint is None:
        return True  # 404/405: let the error handler answer without revealing more
    if request.endpoint == "static" or request.endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "_casegrid_public", False))


def _load_identity() -> None:
    g.user = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        if _is_metrics_scrape(token):
            g.metrics_scrape = True
            return
        # In the request's own transaction (web.db): the action's first transaction() continues it.
        db_session = open_for_request(readonly=request.method in SAFE_METHODS)
        try:
            found = token_holder(db_session, token, request.remote_addr, login_policy())
            if found is not None:
                check_token_holder(found.actor)  # 403 when their roles no longer use tokens
                g.user = CurrentUser(found.id, found.username, found.display_name, found.department,
                                     found.locale, found.actor, "token", has_token=True)
        except BaseException as exc:
            close_opened(exc)
            raise
        if g.user is None:
            close_opened()
            with transaction() as db_session:  # counted against the client's address (engine.auth.tokens)
                record_token_failure(db_session, request.remote_addr)
            raise Unauthorized("invalid or revoked API token")
    elif "uid" in session:
        ended = False
        with transaction(readonly=True) as db_session:
            user = db_session.get(User, session["uid"])
            # A password changed (or reset) since this session signed in ends it (engine.auth.signin).
            ended = user is not None and (user.session_generation or 0) != session.get("generation", 0)
            if user is not None and user.active and not ended:
                g.user = _current(db_session, user, "session")
        if g.user is None:
            locale = session.get("locale")
            session.clear()
            if locale:
                session["locale"] = locale
            if ended:
                flash(_("Your password was changed; sign in again with the new one."))
    if not _is_public() and g.user is None:
        raise Unauthorized("sign in first")
    if request.method not in SAFE_METHODS and (g.user is None or g.user.via == "session"):
        csrf.protect()


def login_policy() -> ThrottlePolicy:
    """The sign-in throttle from the configuration; bad API tokens count against the same per-address limit."""
    config = current_app.config
    return ThrottlePolicy(config["CASEGRID_LOGIN_PER_USER"], config["CASEGRID_LOGIN_PER_ADDRESS"],
                          timedelta(minutes=config["CASEGRID_LOGIN_WINDOW_MINUTES"]))


def _is_metrics_scrape(token: str) -> bool:
    """The monitoring token of CASEGRID_METRICS_TOKEN, presented to /metrics (and only there)."""
    expected = current_app.config.get("CASEGRID_METRICS_TOKEN") or ""
    return bool(expected) and request.endpoint == "ops.metrics" and hmac.compare_digest(
        token.encode("utf-8"), expected.encode("utf-8"))


def sign_in(user: User) -> None:
    """Start a fresh session for `user` (a new cookie content, so a planted session is not reused)."""
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["generation"] = user.session_generation or 0
    session["locale"] = locale or user.locale or "zh"


def sign_out() -> None:
    session.clear()


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.before_request(_load_identity)

    @app.context_processor
    def _identity_context() -> dict[str, Any]:
        return {"current_user": g.get("user")}
