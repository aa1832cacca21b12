"""The request's database handle: `with transaction() as session:` is one engine service call."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from engine.store.database import Database


def database() -> Database:
    return current_app.extensions["casegrid_db"]


@contextmanager
def transaction(readonly: bool = False) -> Iterator[Session]:
    with database().transaction(readonly=readonly) as session:
        yield session
