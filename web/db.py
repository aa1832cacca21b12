"""The request's database handle: `with transaction() as session:` is one engine service call.

An API request authenticated by a bearer token resolves its user in the transaction the request's
action then runs in (`open_for_request`, web/identity.py): the first `transaction()` of the request
takes it over and commits it, so a request is one transaction and one commit, not a read of its own
for the token first. A write request (POST, …) opens it as a write transaction from the start.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context
from sqlalchemy.orm import Session

from engine.store.database import Database

_OPENED = "casegrid_open_transaction"


def database() -> Database:
    """The app's database, for a caller that runs transactions of its own (a migration run, recording a
    failed action). The request's transaction begun for its token ends first: on SQLite a write request's
    open transaction holds the lock those transactions need, and they would wait on it until they fail."""
    close_opened()
    return current_app.extensions["casegrid_db"]


@dataclass
class _Opened:
    session: Session
    readonly: bool
    stack: ExitStack


def open_for_request(readonly: bool) -> Session:
    """Begin the request's transaction now (to authenticate in it); its first `transaction()` takes it over."""
    stack = ExitStack()
    session = stack.enter_context(database().transaction(readonly=readonly))
    g.setdefault(_OPENED, None)
    setattr(g, _OPENED, _Opened(session, readonly, stack))
    return session


def close_opened(error: BaseException | None = None) -> None:
    """End a transaction the request opened and did not hand over (an error, or a view with no action)."""
    opened: _Opened | None = g.pop(_OPENED, None) if has_request_context() else None
    if opened is not None:
        if error is None:
            opened.stack.close()
        else:
            opened.stack.__exit__(type(error), error, error.__traceback__)


@contextmanager
def transaction(readonly: bool = False) -> Iterator[Session]:
    opened: _Opened | None = g.pop(_OPENED, None) if has_request_context() else None
    if opened is not None and opened.readonly and not readonly:
        opened.stack.close()  # a read begun for the token cannot become a write (SQLite): begin afresh
        opened = None
    if opened is None:
        with database().transaction(readonly=readonly) as session:
            yield session
        return
    try:
        yield opened.session
    except BaseException:
        if not opened.stack.__exit__(*sys.exc_info()):
            raise
    else:
        opened.stack.close()


def init_app(app: Flask) -> None:
    @app.teardown_request
    def _end_unused_transaction(error: BaseException | None) -> None:
        close_opened(error)
