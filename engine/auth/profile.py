"""A user's own settings."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound
from engine.store.models.org import User

LOCALES = ("zh", "en")


def set_locale(session: Session, username: str, locale: str) -> None:
    if locale not in LOCALES:
        raise InvalidInput(f"unknown locale '{locale}'", {"locale": [f"one of {', '.join(LOCALES)}"]})
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"no user '{username}'")
    user.locale = locale
