"""Per-user API bearer tokens. Only a SHA-256 digest is stored; the token is shown once.

SHA-256 (not argon2) is right here: the token is 256 random bits, so there is nothing to brute-force,
and a plain digest can be looked up through the unique index on every request. Failed tokens are still
throttled per client address like sign-ins (engine.auth.signin): guessing gets a 429 instead of an
endless stream of cheap 401s, and a leaked prefix of a token is not worth probing.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from engine.auth.signin import (
    DEFAULT_POLICY,
    ThrottlePolicy,
    TooManyAttempts,
    check_throttle,
    record_failure,
    refuse_if_throttled,
)
from engine.errors import CasegridError, Forbidden, NotFound
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.org.service import actor_from_user, actor_of
from engine.store.models.auth import LoginFailure
from engine.store.models.org import Role, User, UserRole

PREFIX = "cg_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise NotFound(f"no active user '{username}'")
    return user


def create_token(session: Session, username: str) -> str:
    """A new token for the user (`casegrid token create`); it replaces the previous one (one token per
    user). Refused (403 `tokens.may_not`) when none of the user's roles may use API tokens: the people who
    work cases do so in the browser, whoever issues the token."""
    user = _user(session, username)
    if not actor_from_user(session, user).may(Ability.USE_API_TOKENS):
        roles = ", ".join(sorted({role.role for role in user.roles})) or "none"
        raise Forbidden(f"{username} may not hold an API token: none of their roles ({roles}) declares "
                        f"{Ability.USE_API_TOKENS.value} (may in rules/organisation.yaml)", key="tokens.may_not")
    token = PREFIX + secrets.token_urlsafe(32)
    user.api_token_hash = digest(token)
    return token


def create_own_token(session: Session, actor: Actor) -> str:
    """The profile page's "create a token": only for holders of a role that may use API tokens (403
    `tokens.may_not` otherwise)."""
    require_ability(actor, Ability.USE_API_TOKENS)
    return create_token(session, actor.username)


def check_token_holder(actor: Actor) -> None:
    """A token works only while its holder has a role that may use API tokens: one issued before their
    roles changed (or the organisation's `may` lists) is refused at use, 403 `tokens.holder_may_not`."""
    if not actor.may(Ability.USE_API_TOKENS):
        raise Forbidden(f"the holder of this API token ({actor.username}) no longer has a role that may use "
                        "API tokens; the token does not work", key="tokens.holder_may_not")


def revoke_token(session: Session, username: str) -> bool:
    user = _user(session, username)
    had = user.api_token_hash is not None
    user.api_token_hash = None
    return had


# Built once: every API request asks it.
_USER_FOR_TOKEN = select(User).where(User.api_token_hash == bindparam("token_hash"), User.active.is_(True))


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith(PREFIX):
        return None
    return session.scalars(_USER_FOR_TOKEN, {"token_hash": digest(token)}).first()


class TooManyTokenFailures(TooManyAttempts):
    code = "too_many_token_failures"

    def __init__(self, retry_after: int) -> None:
        CasegridError.__init__(self, "too many invalid API tokens from this address; try again later",
                               {"retry_after": retry_after}, key="auth.too_many_token_failures",
                               params={"minutes": max(1, retry_after // 60)})
        self.retry_after = retry_after


def failure_key(address: str | None) -> str:
    # Its own key, not the sign-in's "ip:": a script with a stale token must not lock people out of the login page.
    return f"token:{(address or 'unknown')[:150]}"


@dataclass(frozen=True)
class TokenHolder:
    """The active user a bearer token belongs to, as a request needs them."""

    id: int
    username: str
    display_name: str
    department: str | None
    locale: str
    actor: Actor


def _holder_statement() -> Select[Any]:
    """The address's recent token failures and the token's holder with their roles, in one round trip.

    The failure count is a one-row derived table the holder is outer-joined to, so a token that matches
    no one still returns the count the throttle needs; a holder's roles outer-join their declaration
    (a role the organisation does not know grants nothing, as in engine.org.service.actor_from_user)."""
    failures = select(func.count().label("failures"), func.min(LoginFailure.at).label("oldest")).where(
        LoginFailure.key == bindparam("key"),
        LoginFailure.at > bindparam("since", type_=LoginFailure.at.type)).subquery()
    holder = and_(User.api_token_hash == bindparam("token_hash"), User.active.is_(True))
    return (select(failures.c.failures, failures.c.oldest, User.id, User.username, User.display_name,
                   User.department, User.locale, UserRole.role, UserRole.scope, Role.code, Role.sees,
                   Role.oversees, Role.may)
            .select_from(failures.outerjoin(User, holder).outerjoin(UserRole, UserRole.user_id == User.id)
                         .outerjoin(Role, Role.code == UserRole.role)))


# Built once: every API request runs it.
_HOLDER = _holder_statement()


def token_holder(session: Session, token: str, address: str | None, policy: ThrottlePolicy = DEFAULT_POLICY,
                 now: datetime | None = None) -> TokenHolder | None:
    """authenticate_token for a request: the holder with their Actor, read with the throttle in one statement.

    The same refusals in the same order: TooManyTokenFailures once `address` has reached its limit,
    whatever the token (a throttled client learns nothing from further guesses), then None for a token
    that is malformed, unknown or held by an inactive user."""
    now = now or datetime.now(UTC)
    rows = session.connection().execute(_HOLDER, {
        "key": failure_key(address), "since": now - policy.window,
        "token_hash": digest(token) if token.startswith(PREFIX) else None}).all()
    refuse_if_throttled(rows[0].failures, rows[0].oldest, policy.per_address, policy.window, now,
                        TooManyTokenFailures)
    first = rows[0]
    if first.id is None:
        return None
    roles = frozenset((row.role, row.scope) for row in rows if row.role is not None)
    declared = [(row.code, row.sees, row.oversees, row.may) for row in rows if row.code is not None]
    actor = actor_of(session, first.username, first.department, roles, declared)
    return TokenHolder(first.id, first.username, first.display_name or first.username, first.department,
                       first.locale or "zh", actor)


def authenticate_token(session: Session, token: str, address: str | None,
                       policy: ThrottlePolicy = DEFAULT_POLICY, now: datetime | None = None) -> User | None:
    """The active user holding `token`, or None; only reads, so it runs in a read-only transaction.

    Raises TooManyTokenFailures once `address` has sent `policy.per_address` bad tokens within the
    window — before looking the token up, as a sign-in is refused before its password is checked, so a
    throttled client learns nothing from further guesses. Other addresses are not affected. The caller
    records a None answer with `record_token_failure`, in a short write transaction of its own: every
    API request taking the write lock (SQLite) just to authenticate would queue reads behind writers.
    """
    now = now or datetime.now(UTC)
    check_throttle(session, [(failure_key(address), policy.per_address)], policy.window, now, TooManyTokenFailures)
    return user_for_token(session, token)


def record_token_failure(session: Session, address: str | None, now: datetime | None = None) -> None:
    record_failure(session, [failure_key(address)], now or datetime.now(UTC))


def has_token(session: Session, username: str) -> bool:
    return _user(session, username).api_token_hash is not None
