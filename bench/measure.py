"""Counting what a benchmark costs: wall or CPU time, SQL statements and commits."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, event


@dataclass
class SqlCounter:
    statements: int = 0
    commits: int = 0

    def reset(self) -> None:
        self.statements = self.commits = 0


@contextmanager
def counting_sql(engine: Engine) -> Iterator[SqlCounter]:
    counter = SqlCounter()

    def on_execute(*_args: object) -> None:
        counter.statements += 1

    def on_commit(*_args: object) -> None:
        counter.commits += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def best_of(repeats: int, run: Callable[[], float]) -> float:
    """The least noisy of several timings: other load only ever adds time."""
    return min(run() for _ in range(repeats))


def timed(action: Callable[[], object], clock: Callable[[], float] = time.perf_counter) -> float:
    start = clock()
    action()
    return clock() - start


def cpu_timed(action: Callable[[], object]) -> float:
    """CPU seconds of this process for `action`: on a machine shared with other work, wall time also counts
    the wait for a core, which says nothing about the code. Only for work done in this process (SQLite is
    a library in it); a database server's time is not counted, so PostgreSQL is timed by the wall."""
    return timed(action, time.process_time)


def on_postgresql(name: str, run: Callable[[str], object]) -> None:
    """``run(server URL)`` when CASEGRID_BENCH_PG_URL names a PostgreSQL server, else say it was skipped."""
    url = os.environ.get("CASEGRID_BENCH_PG_URL")
    if not url:
        print(f"{name}: skipped (set CASEGRID_BENCH_PG_URL to a PostgreSQL server URL)")
        return
    run(url)
