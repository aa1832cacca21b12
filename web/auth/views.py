"""Handlers for /login, /logout, /profile, /profile/password, /profile/token, /locale."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from marshmallow import Schema, ValidationError, fields, validate

from engine.auth.profile import LOCALES, MAX_PASSWORD_LENGTH, change_password, set_locale
from engine.auth.signin import TooManyAttempts, authenticate
from engine.auth.tokens import create_own_token, revoke_token
from engine.errors import InvalidInput
from engine.store.models.org import User
from web.db import transaction
from web.error_texts import word
from web.i18n import _, current_locale
from web.identity import current_user, login_policy, public, sign_in, sign_out

bp = Blueprint("auth", __name__)


class LoginInput(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    next = fields.String(load_default=None)


class PasswordInput(Schema):
    current_password = fields.String(load_default="", validate=validate.Length(max=MAX_PASSWORD_LENGTH))
    new_password = fields.String(load_default="", validate=validate.Length(max=MAX_PASSWORD_LENGTH))
    repeat_password = fields.String(load_default="", validate=validate.Length(max=MAX_PASSWORD_LENGTH))


class LocaleInput(Schema):
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    next = fields.String(load_default=None)


def local_passwords() -> bool:
    """Whether the password form is on (CASEGRID_LOCAL_PASSWORDS, docs/sso.md)."""
    return current_app.config["CASEGRID_SSO"].local_passwords


def end_session_url() -> str | None:
    from web.auth.sso import end_session_url as url

    return url()


def safe_next(target: str | None) -> str:
    # Only same-site paths: an attacker's link must not bounce a fresh sign-in to their site. Browsers
    # drop tabs and newlines and read "\\" as "/", so "/\t/evil.example" is "//evil.example" to them;
    # a newline would also end the Location header. Judge the text as decoded, too ("/%2F/evil…").
    if target and _same_site_path(target, lowest=0x21) and _same_site_path(unquote(target), lowest=0x20):
        return target
    return url_for("ui.inbox")


def _same_site_path(target: str, lowest: int) -> bool:
    # `lowest`: a raw target has no spaces either; a decoded one may ("?q=a%20b").
    if any(ord(ch) < lowest or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return False
    parts = urlsplit(target)
    return target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if request.method == "GET":
        if g.get("user") is not None:
            return redirect(safe_next(request.args.get("next")))
        return render_template("auth/login.html", next=request.args.get("next", ""), username="", error=None)
    if not local_passwords():
        return render_template("auth/login.html", next=request.form.get("next", ""), username="",
                               error=_("Signing in with a password is turned off here. Sign in through the unified identity platform.")), 403
    try:
        data = LoginInput().load(request.form.to_dict(), unknown="exclude")
    except ValidationError:
        typed = {k: str(request.form.get(k, "")).strip() for k in ("username", "password")}
        # Both typed but longer than any account's: no such user, said as for any wrong pair of them.
        wrong_pair = all(typed.values())
        return render_template("auth/login.html", next=request.form.get("next", ""),
                               username=typed["username"][:80],
                               error=_("User name or password is wrong.") if wrong_pair else
                               _("Enter your user name and password.")), 401 if wrong_pair else 400
    try:
        with transaction() as db_session:
            user = authenticate(db_session, data["username"], data["password"], request.remote_addr, login_policy())
            if user is not None:
                sign_in(user)
    except TooManyAttempts as exc:
        minutes = max(1, exc.retry_after // 60)
        return render_template("auth/login.html", next=data["next"] or "", username=data["username"],
                               error=_("Too many failed attempts. Try again in {n} minutes.", n=minutes)), \
            429, {"Retry-After": str(exc.retry_after)}
    if user is None:
        return render_template("auth/login.html", next=data["next"] or "", username=data["username"],
                               error=_("User name or password is wrong.")), 401
    return redirect(safe_next(data["next"]))


@bp.post("/logout")
def logout() -> Any:
    """End the local session; signed in through SSO, offer the provider's end-session endpoint too."""
    end_session = end_session_url()
    sign_out()
    if end_session:
        g.user = None
        return render_template("auth/signed_out.html", end_session_url=end_session), 200, {"Cache-Control": "no-store"}
    return redirect(url_for("auth.login"))


@bp.get("/profile")
def profile() -> Any:
    return render_template("auth/profile.html", new_token=None, password_errors={})


@bp.post("/profile/password")
def password_change() -> Any:
    """Current password and the new one twice; a refusal is said beside its field and changes nothing."""
    if not local_passwords():
        return _password_refused({"current_password": _("Passwords are managed by the unified identity platform.")}, 403)
    try:
        data = PasswordInput().load(request.form.to_dict(), unknown="exclude")
    except ValidationError:
        return _password_refused({"new_password": _("The password is too long.")}, 422)
    try:
        with transaction() as db_session:
            # A wrong current password comes back instead of raised: its throttle count must commit.
            refusal = change_password(db_session, current_user().username, data["current_password"],
                                      data["new_password"], data["repeat_password"], login_policy())
    except TooManyAttempts as exc:
        return _password_refused({"current_password": _("Too many failed attempts. Try again in {n} minutes.",
                                                        n=max(1, exc.retry_after // 60))},
                                 429, {"Retry-After": str(exc.retry_after)})
    except InvalidInput as exc:
        refusal = exc
    if refusal is not None:
        field = next(iter(refusal.details or {"new_password": None}))
        return _password_refused({field: word(refusal, current_locale(), None)}, 422)
    # The change ended every session of the user; this one goes on, signed in afresh with the new generation.
    with transaction(readonly=True) as db_session:
        user = db_session.get(User, current_user().id)
        if user is not None:
            sign_in(user)
    flash(_("Your password has been changed; you were signed out everywhere else."))
    return redirect(url_for("auth.profile"))


def _password_refused(errors: dict[str, str], status: int, headers: dict[str, str] | None = None) -> Any:
    return render_template("auth/profile.html", new_token=None, password_errors=errors), status, headers or {}


@bp.post("/profile/token")
def token_create() -> Any:
    # Refused (403, tokens.may_not) unless a role of the user may use API tokens.
    with transaction() as db_session:
        token = create_own_token(db_session, current_user().actor)
    # Shown once in this response (never put in the cookie or a redirect): only its hash is kept.
    return render_template("auth/profile.html", new_token=token, password_errors={}), 201, \
        {"Cache-Control": "no-store"}


@bp.post("/profile/token/revoke")
def token_revoke() -> Any:
    with transaction() as db_session:
        revoke_token(db_session, current_user().username)
    flash(_("Your API token has been revoked."))
    return redirect(url_for("auth.profile"))


@bp.post("/locale")
@public
def switch_locale() -> Any:
    try:
        data = LocaleInput().load(request.form.to_dict(), unknown="exclude")
    except ValidationError:
        return redirect(url_for("ui.inbox"))
    session["locale"] = data["locale"]
    user = g.get("user")
    if user is not None:
        with transaction() as db_session:
            set_locale(db_session, user.username, data["locale"])
    return redirect(safe_next(data["next"]))
