"""A user's own settings: language and password."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.auth.signin import (
    DEFAULT_POLICY,
    ThrottlePolicy,
    check_throttle,
    end_other_sessions,
    record_failure,
)
from engine.errors import InvalidInput, NotFound
from engine.org.passwords import hash_password, verify_password
from engine.store.models.auth import LoginFailure
from engine.store.models.org import User

LOCALES = ("zh", "en")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1000


def set_locale(session: Session, username: str, locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidInput(f"unknown locale '{locale}'", {"locale": [f"one of {', '.join(LOCALES)}"]})
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    user.locale = locale


def _password_change_key(username: str) -> str:
    # Its own key, not the sign-in's "user:": someone guessing at an unlocked screen is slowed down
    # without locking the account's owner out of the login page.
    return f"password_change:{username.strip().lower()[:150]}"


def change_password(session: Session, username: str, current: str, new: str, repeated: str,
                    policy: ThrottlePolicy = DEFAULT_POLICY, now: datetime | None = None) -> InvalidInput | None:
    """Replace the user's password after checking the current one; nothing else changes on a refusal.

    A new password that is too short, too long, typed differently twice or equal to the current one
    raises InvalidInput. A wrong current password is *returned* (not raised) as InvalidInput with key
    `profile.wrong_password`: the failure it records must be committed for the throttle to count it, so
    the caller commits and then shows the refusal. After `policy.per_user` wrong ones within
    `policy.window`, TooManyAttempts is raised before the password is even checked, as at sign-in.
    A changed password ends the user's other sessions (end_other_sessions).
    """
    now = now or datetime.now(UTC)
    if len(new) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("the new password is too short",
                           {"new_password": [f"at least {MIN_PASSWORD_LENGTH} characters"]},
                           key="profile.password_too_short", params={"minimum": MIN_PASSWORD_LENGTH})
    if len(new) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("the new password is too long",
                           {"new_password": [f"at most {MAX_PASSWORD_LENGTH} characters"]},
                           key="profile.password_too_long", params={"maximum": MAX_PASSWORD_LENGTH})
    if new != repeated:
        raise InvalidInput("the two new passwords differ", {"repeat_password": ["does not match"]},
                           key="profile.passwords_differ")
    key = _password_change_key(username)
    check_throttle(session, [(key, policy.per_user)], policy.window, now)
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise NotFound(f"no active user '{username}'")
    if not verify_password(user.password_hash, current):
        record_failure(session, [key], now)
        return InvalidInput("the current password is wrong", {"current_password": ["wrong password"]},
                            key="profile.wrong_password")
    if new == current:
        raise InvalidInput("the new password is the current one", {"new_password": ["same as the current"]},
                           key="profile.password_unchanged")
    user.password_hash = hash_password(new)
    end_other_sessions(user)
    session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    return None

