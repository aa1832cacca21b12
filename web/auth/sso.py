"""Single sign-on (统一身份认证): OpenID Connect sign-in through Authlib's Flask client.

GET /login/sso sends the browser to the provider (authorization code flow with state, nonce and PKCE);
GET /login/sso/callback exchanges the code, verifies the id_token (signature against the provider's
published keys, issuer, audience, expiry, nonce: Authlib) and hands the claims to one engine command
(engine.commands.users.sign_in_with_identity), which matches, updates, creates or refuses the user.
Sign-out ends the local session and offers the provider's end-session endpoint (web/auth/views.logout).

Settings come from the environment (engine.auth.sso, docs/sso.md) or, in tests, from
app.config["CASEGRID_SSO"]. With SSO off none of this is reachable (404) and the login page shows
only the password form.
"""
from __future__ import annotations

import logging
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError

from engine.auth.sso import SsoSettings, identity_from_claims, load_sso_settings
from engine.commands.users import known_roles_and_units, sign_in_with_identity
from engine.errors import CasegridError
from web.db import transaction
from web.error_texts import word
from web.i18n import _, current_locale
from web.identity import public, sign_in

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)
CLIENT = "casegrid_sso"
ID_TOKEN_KEY = "sso_id_token"
NEXT_KEY = "sso_next"
TIMEOUT_SECONDS = 10


def sso_settings(app: Flask | None = None) -> SsoSettings:
    return (app or current_app).config["CASEGRID_SSO"]


def _client() -> Any:
    return current_app.extensions["casegrid_sso_oauth"].create_client(CLIENT)


def init_app(app: Flask) -> None:
    """Read the settings (unless given), register the provider with Authlib, and the routes."""
    if not isinstance(app.config.get("CASEGRID_SSO"), SsoSettings):
        app.config["CASEGRID_SSO"] = load_sso_settings()
    settings = sso_settings(app)
    oauth = OAuth(app)
    if settings.enabled:
        oauth.register(
            CLIENT, client_id=settings.client_id, client_secret=settings.client_secret or None,
            server_metadata_url=settings.metadata_url,
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
        )
    app.extensions["casegrid_sso_oauth"] = oauth
    app.register_blueprint(bp)

    @app.context_processor
    def _sso_context() -> dict[str, Any]:
        current = sso_settings()
        return {"sso_enabled": current.enabled, "local_passwords": current.local_passwords}


@bp.get("/login/sso")
@public
def start() -> Any:
    settings = sso_settings()
    if not settings.enabled:
        abort(404)
    from web.auth.views import safe_next

    session[NEXT_KEY] = safe_next(request.args.get("next"))
    redirect_uri = settings.redirect_uri or url_for("sso.callback", _external=True)
    try:
        return _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, AuthlibBaseError, RuntimeError) as exc:
        log.warning("identity provider unreachable: %s", exc)
        return _refused(_unreachable(), 502)


@bp.get("/login/sso/callback")
@public
def callback() -> Any:
    settings = sso_settings()
    if not settings.enabled:
        abort(404)
    next_url = session.pop(NEXT_KEY, None)
    client = _client()
    try:
        # State (against this browser's session), the code exchange, then the id_token: signature
        # against the provider's keys, issuer, audience (our client id), expiry, nonce, at_hash.
        token = client.authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(description="the provider sent no id_token")
        claims = dict(claims)
        if settings.username_claim not in claims:
            claims = _with_userinfo(client, token, claims)
    except MismatchingStateError:
        return _refused(_("This sign-in was started in another window or has expired. Please sign in again."), 400)
    except OAuthError as exc:
        if exc.error and exc.error != "mismatching_state" and request.args.get("error"):
            log.info("identity provider refused the sign-in: %s %s", exc.error, exc.description)
            return _refused(_("The unified identity platform did not sign you in. Please sign in again."), 401)
        log.warning("SSO sign-in refused: %s", exc)
        return _refused(_unverified(), 401)
    except (JoseError, AuthlibBaseError, ValueError, KeyError) as exc:
        log.warning("SSO id_token refused: %s: %s", type(exc).__name__, exc)
        return _refused(_unverified(), 401)
    except requests.RequestException as exc:
        log.warning("identity provider unreachable: %s", exc)
        return _refused(_unreachable(), 502)
    try:
        with transaction() as db_session:
            known_roles, known_units = known_roles_and_units(db_session)
            identity = identity_from_claims(settings, claims, known_roles, known_units)
            user = sign_in_with_identity(db_session, identity, settings.default_role)
            sign_in(user)
    except CasegridError as exc:
        log.info("SSO sign-in refused: %s", exc.message)
        return _refused(word(exc, current_locale(), None), exc.status if exc.status in (403, 422) else 403,
                        id_token=token.get("id_token"))
    if identity.unmapped:
        log.info("SSO claims of %s map to nothing: %s", identity.username, ", ".join(identity.unmapped))
    session[ID_TOKEN_KEY] = token.get("id_token")
    return redirect(next_url or url_for("ui.inbox"))


def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """Claims the id_token leaves to the userinfo endpoint (providers that keep the id_token small)."""
    info = dict(client.userinfo(token=token))
    if info.get("sub") != claims.get("sub"):
        raise OAuthError(description="userinfo is about another subject than the id_token")
    return {**info, **claims}


def end_session_url() -> str | None:
    """The provider's end-session URL for the signed-in browser, or None (signed in by password, the
    provider has no such endpoint, or cannot be reached)."""
    settings = sso_settings()
    id_token = session.get(ID_TOKEN_KEY)
    if not settings.enabled or not id_token:
        return None
    return _logout_url(id_token)


def _logout_url(id_token: str | None) -> str | None:
    settings = sso_settings()
    try:
        return _client().create_logout_url(
            post_logout_redirect_uri=settings.post_logout_redirect_uri or url_for("auth.login", _external=True),
            id_token_hint=id_token, client_id=settings.client_id)["url"]
    except (requests.RequestException, RuntimeError, ValueError, AuthlibBaseError) as exc:
        log.info("no end-session endpoint offered: %s", exc)
        return None


def _unverified() -> str:
    return _("The sign-in through the unified identity platform could not be verified. Please sign in again.")


def _unreachable() -> str:
    return _("The unified identity platform cannot be reached at the moment. Please try again later or ask the administrator.")


def _refused(message: str, status: int, id_token: str | None = None) -> Any:
    g.user = None
    end_session = _logout_url(id_token) if id_token else None
    return render_template("auth/sso_refused.html", message=message, end_session_url=end_session), status, \
        {"Cache-Control": "no-store"}
