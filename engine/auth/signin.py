"""Password sign-in with a database-backed throttle.

The throttle lives in the database, not in process memory, because production runs N gunicorn
workers: an in-memory counter would allow N times the attempts and forget them on restart.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from engine.errors import CasegridError
from engine.org.passwords import hash_password, needs_rehash, verify_password
from engine.store.models.auth import LoginFailure
from engine.store.models.org import User


@dataclass(frozen=True)
class ThrottlePolicy:
    per_user: int = 5  # failures for one account within the window
    per_address: int = 20  # failures from one address within the window (password spraying)
    window: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = ThrottlePolicy()


class TooManyAttempts(CasegridError):
    code = "too_many_attempts"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed sign-in attempts; try again later", {"retry_after": retry_after})
        self.retry_after = retry_after


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so an unknown name costs the same time as a wrong
    password; made at the configured cost, on first use rather than at import."""
    return hash_password("casegrid-dummy-password-for-timing")


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("user", f"user:{username.strip().lower()[:150]}")]
    if address:
        keys.append(("ip", f"ip:{address[:150]}"))
    return keys


# Built once: every API request checks its address (engine.auth.tokens).
_FAILURES_SINCE = select(func.count(), func.min(LoginFailure.at)).where(
    LoginFailure.key == bindparam("key"), LoginFailure.at > bindparam("since", type_=LoginFailure.at.type))


def check_throttle(session: Session, limits: list[tuple[str, int]], window: timedelta, now: datetime,
                   refusal: type[TooManyAttempts] = TooManyAttempts) -> None:
    """Raise `refusal` when any failure key has reached its limit within the window."""
    since = now - window
    for key, limit in limits:
        count, oldest = session.execute(_FAILURES_SINCE, {"key": key, "since": since}).one()
        refuse_if_throttled(count, oldest, limit, window, now, refusal)


def refuse_if_throttled(count: int, oldest: datetime | None, limit: int, window: timedelta, now: datetime,
                        refusal: type[TooManyAttempts] = TooManyAttempts) -> None:
    """Raise `refusal` when `count` failures (the oldest at `oldest`) within the window reach `limit`."""
    if count >= limit:
        retry = int(((oldest or now) + window - now).total_seconds()) + 1
        raise refusal(max(retry, 1))


def record_failure(session: Session, keys: list[str], now: datetime) -> None:
    for key in keys:
        session.add(LoginFailure(key=key, at=now))
    session.flush()


def _check_throttle(session: Session, username: str, address: str | None, policy: ThrottlePolicy,
                    now: datetime) -> None:
    limits = [(key, policy.per_user if kind == "user" else policy.per_address)
              for kind, key in _keys(username, address)]
    check_throttle(session, limits, policy.window, now)


def authenticate(session: Session, username: str, password: str, address: str | None = None,
                 policy: ThrottlePolicy = DEFAULT_POLICY, now: datetime | None = None) -> User | None:
    """The active user whose password matches, or None; raises TooManyAttempts while throttled.

    A failure is recorded against the account name and the address; a success clears the account's.
    """
    now = now or datetime.now(UTC)
    _check_throttle(session, username, address, policy, now)
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    ok = verify_password(user.password_hash if user else _dummy_hash(), password) and user is not None
    if not ok:
        record_failure(session, [key for _kind, key in _keys(username, address)], now)
        return None
    session.execute(delete(LoginFailure).where(LoginFailure.key == _keys(username, None)[0][1]))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_other_sessions(user: User) -> None:
    """Every session signed in before this moment ends at its next request (the web layer compares the
    generation a session was signed in with); the caller renews the one session that made the change."""
    user.session_generation = (user.session_generation or 0) + 1


def set_password(session: Session, username: str, password: str) -> None:
    """An administrator's reset (`casegrid user set-password`): every session of the user ends."""
    from engine.errors import InvalidInput, NotFound

    if len(password) < 8:
        raise InvalidInput("the password is too short", {"password": ["at least 8 characters"]})
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    user.password_hash = hash_password(password)
    end_other_sessions(user)


def prune_failures(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    result = session.execute(delete(LoginFailure).where(LoginFailure.at < datetime.now(UTC) - older_than))
    return result.rowcount or 0
