"""A bulletin's figures for a month as history grows (issue 15, point 2). PostgreSQL only.

Run: ``CASEGRID_BENCH_PG_URL=postgresql+psycopg://user@host/postgres python -m bench bulletins``
(or ``make bench``). It creates its own database ``casegrid_bench_bulletins`` and drops it at the end
(keep it with CASEGRID_BENCH_KEEP=1).

Scenario: the overview benchmark's district (bench/overview_bench.py: 10,000 open cases, 10,000 closed
in the last 30 days), with one urging (督办) for every tenth case, measured with only that history, then
again after 990,000 older closed cases (5 years, with their work items, timers and urgings) are added:
a million-case history. Each measure reads every figure of a department bulletin (received, closed and
on time, overdue and days late, urges, returns, reworks and satisfaction from the closed cases' data)
for the last 30 days ending now, and for a month that ended yesterday (the worker's case: items closed
after the period's end are read too). The ratios show the reads follow the month, not the history.
"""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.overview_bench import OPEN, RECENT_CLOSED, TOTAL_CLOSED, _median_ms, _seed_base, _seed_cases
from engine.bulletins.figures import unit_figures
from engine.store.database import Database
from engine.store.migrate import upgrade

DB_NAME = "casegrid_bench_bulletins"


def _seed_urgings(db: Database, first: int, last: int) -> None:
    with db.engine.begin() as c:
        c.execute(text(f"""
            INSERT INTO sla_urgings (case_id, work_item_id, department, urged_by, message, at)
            SELECT g, 'w-' || g, 'dept' || (g % 20), 'bench', 'bench',
                   COALESCE(closed_at, now()) - interval '2 hours'
            FROM generate_series({first}, {last}) AS g JOIN cases ON cases.id = g WHERE g % 10 = 0"""))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE"))


def _measure(db: Database) -> tuple[float, float]:
    now = datetime.now(UTC)

    def month_to_now() -> None:
        with db.transaction(readonly=True) as session:
            unit_figures(session, now - timedelta(days=30), now, now, "department")

    def month_ended() -> None:
        until = now - timedelta(days=1)
        with db.transaction(readonly=True) as session:
            unit_figures(session, until - timedelta(days=30), until, now, "department")

    return _median_ms(month_to_now), _median_ms(month_ended)


def run(admin_url: str) -> dict[str, float]:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        c.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    url = make_url(admin_url).set(database=DB_NAME).render_as_string(hide_password=False)
    db = Database(url)
    try:
        upgrade(url)
        _seed_base(db)
        t0 = time.perf_counter()
        _seed_cases(db, 1, OPEN, open_=True, closed_from="now()", closed_span="interval '0'")
        _seed_cases(db, OPEN + 1, OPEN + RECENT_CLOSED, open_=False, closed_from="now() - interval '29 days'",
                    closed_span="interval '28 days'")
        _seed_urgings(db, 1, OPEN + RECENT_CLOSED)
        print(f"seeded {OPEN:,} open + {RECENT_CLOSED:,} closed in {time.perf_counter() - t0:.1f} s")
        small = _measure(db)
        t0 = time.perf_counter()
        _seed_cases(db, OPEN + RECENT_CLOSED + 1, OPEN + TOTAL_CLOSED, open_=False,
                    closed_from="now() - interval '1850 days'", closed_span="interval '1800 days'")
        _seed_urgings(db, OPEN + RECENT_CLOSED + 1, OPEN + TOTAL_CLOSED)
        print(f"seeded {TOTAL_CLOSED - RECENT_CLOSED:,} older closed cases in {time.perf_counter() - t0:.1f} s")
        large = _measure(db)
    finally:
        db.dispose()
        if not os.environ.get("CASEGRID_BENCH_KEEP"):
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        admin.dispose()
    print(f"{'':<32}{'10k closed':>14}{'1M closed':>14}{'ratio':>8}")
    for i, label in enumerate(("bulletin month ending now", "bulletin month ended yesterday")):
        print(f"{label:<32}{small[i]:>11.2f} ms{large[i]:>11.2f} ms{large[i] / small[i]:>8.2f}")
    return {"month_now_small_ms": small[0], "month_now_large_ms": large[0],
            "month_ended_small_ms": small[1], "month_ended_large_ms": large[1]}


def main() -> None:
    url = os.environ.get("CASEGRID_BENCH_PG_URL")
    if not url:
        print("bulletins: skipped (set CASEGRID_BENCH_PG_URL to a PostgreSQL server URL)")
        return
    run(url)


if __name__ == "__main__":
    main()
