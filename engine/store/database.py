"""Engine and session factory; one `transaction()` is one engine service call."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN past the first read, which lets two writers
    # deadlock on lock upgrade; we issue BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers (inbox pages) proceed while the worker writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a second writer waits (busy timeout) instead of failing
    # half-way, and then sees the first writer's committed rows.
    readonly = conn.get_execution_options().get("casegrid_readonly", False)
    conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # PostgreSQL's JIT compiles any plan whose estimated cost passes jit_above_cost: casegrid's list
    # statements run in a few milliseconds but estimate high (correlated access subqueries), and the
    # compilation cost ~25 ms each (measured: the candidate inbox, 6 ms executing, 31 ms in all).
    connect_args = {"options": "-c jit=off", **kwargs.pop("connect_args", {})}
    return create_engine(url, connect_args=connect_args, **{**_pool_options(), **kwargs})


def _pool_options() -> dict[str, Any]:
    """PostgreSQL connection checks, an operator's choice (docs/operations.md).

    By default every checkout pings the server (`pool_pre_ping`): a connection the server or a firewall
    dropped is replaced before a request uses it, at the cost of one round trip per transaction.
    CASEGRID_DB_PRE_PING=0 drops the ping and instead retires connections after
    CASEGRID_DB_POOL_RECYCLE seconds (default 300, under common firewall idle timeouts); a connection
    lost otherwise (a server restart) then fails the one request that meets it (503), and the pool is
    renewed at once.
    """
    if os.environ.get("CASEGRID_DB_PRE_PING", "1").strip().lower() not in ("0", "false", "no", "off"):
        return {"pool_pre_ping": True}
    return {"pool_pre_ping": False, "pool_recycle": int(os.environ.get("CASEGRID_DB_POOL_RECYCLE", "300"))}


class Database:
    """Holds the SQLAlchemy engine and hands out transactional sessions."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            self.engine.execution_options(casegrid_readonly=True), expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, readonly: bool = False) -> Iterator[Session]:
        """Commit on success, roll back on any exception: nothing half-done survives.

        A version conflict that only shows when the last changes are flushed at commit (a case row
        changed outside the step that persists it) is a Conflict like any other, not a crash."""
        session = (self._read_sessions if readonly else self._sessions)()
        try:
            with session.begin():
                yield session
        except StaleDataError as exc:
            raise Conflict("a case was changed by someone else at the same moment; nothing was saved, "
                           "try again") from exc
        finally:
            session.close()

    def session(self) -> Session:
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()
