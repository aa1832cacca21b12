"""Per-user API bearer tokens. Only a SHA-256 digest is stored; the token is shown once.

SHA-256 (not argon2) is right here: the token is 256 random bits, so there is nothing to brute-force,
and a plain digest can be looked up through the unique index on every request.
"""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models.org import User

PREFIX = "cg_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
    if user is None:
        raise NotFound(f"no active user '{username}'")
    return user


def create_token(session: Session, username: str) -> str:
    """A new token for the user; it replaces the previous one (one token per user)."""
    token = PREFIX + secrets.token_urlsafe(32)
    _user(session, username).api_token_hash = digest(token)
    return token


def revoke_token(session: Session, username: str) -> bool:
    user = _user(session, username)
    had = user.api_token_hash is not None
    user.api_token_hash = None
    return had


def user_for_token(session: Session, token: str) -> User | None:
    if not token.startswith(PREFIX):
        return None
    return session.scalars(
        select(User).where(User.api_token_hash == digest(token), User.active.is_(True))
    ).first()


def has_token(session: Session, username: str) -> bool:
    return _user(session, username).api_token_hash is not None
