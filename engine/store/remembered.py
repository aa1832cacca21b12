"""What one transaction has already read or taken, kept in the session for that transaction only."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, SessionTransaction

T = TypeVar("T")


def for_transaction(session: Session, key: str, transaction: SessionTransaction | None, empty: Callable[[], T]) -> T:
    """The container kept under `key` for `transaction`; a new `empty()` one when the session has moved on to
    another transaction (a savepoint rolled back, the next request's transaction), so nothing outlives it."""
    kept: tuple[Any, T] | None = session.info.get(key)
    if kept is None or kept[0] is not transaction:
        kept = session.info[key] = (transaction, empty())
    return kept[1]
