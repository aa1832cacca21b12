"""Overview and timer-sweep cost as history grows (issue 4, done-when 3). PostgreSQL only.

Run: ``CASEGRID_BENCH_PG_URL=postgresql+psycopg://user@host/postgres python -m bench overview``
(or ``make bench``). The URL names a server database the benchmark may connect to; it creates its
own database ``casegrid_bench_overview``, drops it at the end (``--keep``-like: set
CASEGRID_BENCH_KEEP=1), and never touches another.

Scenario: a district with 10,000 open cases (one open work item each, two pending SLA timers
each, a few hundred of them due) and a steady intake: 10,000 cases closed in the last 30 days.
First measured with only those 10,000 closed cases as history, then again after 990,000 older
closed cases (5 years, each with its work item and fired timer) are added: 1,000,000 closed.
The overview asks for "now" and for the last 30 days, as a dashboard does; the sweep is what a
worker runs each round (due pending timers, FOR UPDATE SKIP LOCKED, and the next due time).
Seeding uses INSERT … SELECT generate_series: 3 million rows in well under a minute or two.
"""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from engine.sla.queries import department_overview, overdue_items, step_overview
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models.timers import Timer
from engine.timers.service import next_due_at

DB_NAME = "casegrid_bench_overview"
OPEN = 10_000
RECENT_CLOSED = 10_000
TOTAL_CLOSED = 1_000_000
REPEATS = 15


def _seed_base(db: Database) -> None:
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO deployments (id, content_hash, files, deployed_at, deployed_by) "
                       "VALUES (1, 'bench', '{}', now(), 'bench')"))
        c.execute(text("INSERT INTO process_versions (id, process_key, version, name, family, content_hash, "
                       "bpmn_file, bpmn_xml, deployment_id, deployed_at) VALUES (1, 'bench', 1, 'bench', 'bench', "
                       "'bench', 'processes/bench.bpmn', '', 1, now())"))


def _seed_cases(db: Database, first: int, last: int, *, open_: bool, closed_from: str, closed_span: str) -> None:
    """Cases first..last with one work item each (and SLA timers: pending if open, one fired if closed)."""
    status = "'running'" if open_ else "'completed'"
    closed_at = "NULL" if open_ else f"{closed_from} + (g % 100000) * ({closed_span} / 100000)"
    with db.engine.begin() as c:
        c.execute(text(f"""
            INSERT INTO cases (id, business_key, process_version_id, process_key, family, title, status,
                current_step, category, grid_cell, street, department, priority, opened_by, opened_at,
                closed_at, due_at, data, workflow_state, version)
            SELECT g, 'B-' || g, 1, 'bench', 'bench', 'case ' || g, {status}, NULL, 'c' || (g % 40),
                NULL, NULL, 'dept' || (g % 20), 3, 'bench', now() - interval '40 days', {closed_at},
                now() + interval '1 day', '{{}}', '', 1
            FROM generate_series({first}, {last}) AS g"""))
        item_status = "'open'" if open_ else "'completed'"
        sla_state = ("(ARRAY['on_time','on_time','on_time','at_risk','overdue'])[1 + g % 5]" if open_
                     else "(CASE WHEN g % 10 = 0 THEN 'met_late' ELSE 'met' END)")
        due = "now() + ((g % 200) - 20) * interval '1 hour'" if open_ else f"{closed_at} + interval '1 hour'"
        c.execute(text(f"""
            INSERT INTO work_items (id, case_id, process_key, task_spec, task_name, form_key, role, department,
                grid_cell, candidate_users, assignee, status, sla_state, created_at, due_at, completed_at,
                completed_by)
            SELECT 'w-' || g, g, 'bench', 'step' || (g % 8), 'Step ' || (g % 8), NULL, 'handler', 'dept' || (g % 20),
                NULL, '[]', NULL, {item_status}, {sla_state}, now() - interval '40 days', {due},
                {closed_at}, {"NULL" if open_ else "'bench'"}
            FROM generate_series({first}, {last}) AS g"""))
        if open_:
            for kind, offset in (("sla_warning", "- interval '2 hours'"), ("sla_breach", "")):
                c.execute(text(f"""
                    INSERT INTO timers (case_id, kind, spiff_task_id, work_item_id, name, due_at, status,
                        payload, created_at)
                    SELECT g, '{kind}', NULL, 'w-' || g, '{kind}', {due} {offset}, 'pending', '{{}}', now()
                    FROM generate_series({first}, {last}) AS g"""))
        else:
            c.execute(text(f"""
                INSERT INTO timers (case_id, kind, spiff_task_id, work_item_id, name, due_at, status, payload,
                    created_at, fired_at, fired_by)
                SELECT g, 'sla_breach', NULL, 'w-' || g, 'sla_breach', {closed_at}, 'fired', '{{}}', now(),
                    {closed_at}, 'bench'
                FROM generate_series({first}, {last}) AS g"""))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE"))


def _median_ms(run: Callable[[], object]) -> float:
    run()  # warm caches and plans: the steady state is what a dashboard sees
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _measure(db: Database) -> tuple[float, float, float]:
    now = datetime.now(UTC)
    period = (now - timedelta(days=30), now)

    def overview() -> None:
        with db.transaction(readonly=True) as session:
            department_overview(session, now, *period)
            overdue_items(session, now, limit=50)

    def steps() -> None:
        with db.transaction(readonly=True) as session:
            step_overview(session, now, *period)

    def sweep() -> None:
        with db.transaction() as session:
            session.scalars(select(Timer).where(Timer.status == "pending", Timer.due_at <= now)
                            .order_by(Timer.due_at, Timer.id).limit(200).with_for_update(skip_locked=True)).all()
            next_due_at(session)
            session.rollback()  # measure the claim, fire nothing

    return _median_ms(overview), _median_ms(steps), _median_ms(sweep)


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
        print(f"seeded {OPEN:,} open + {RECENT_CLOSED:,} closed in {time.perf_counter() - t0:.1f} s")
        small = _measure(db)
        t0 = time.perf_counter()
        _seed_cases(db, OPEN + RECENT_CLOSED + 1, OPEN + TOTAL_CLOSED, open_=False,
                    closed_from="now() - interval '1850 days'", closed_span="interval '1800 days'")
        print(f"seeded {TOTAL_CLOSED - RECENT_CLOSED:,} older closed cases in {time.perf_counter() - t0:.1f} s")
        large = _measure(db)
    finally:
        db.dispose()
        if not os.environ.get("CASEGRID_BENCH_KEEP"):
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        admin.dispose()
    print(f"{'':<28}{'10k closed':>14}{'1M closed':>14}{'ratio':>8}")
    for i, label in enumerate(("department overview+overdue", "step overview", "due-timer sweep")):
        print(f"{label:<28}{small[i]:>11.2f} ms{large[i]:>11.2f} ms{large[i] / small[i]:>8.2f}")
    return {"overview_small_ms": small[0], "overview_large_ms": large[0], "steps_small_ms": small[1],
            "steps_large_ms": large[1], "sweep_small_ms": small[2], "sweep_large_ms": large[2]}


def main() -> None:
    url = os.environ.get("CASEGRID_BENCH_PG_URL")
    if not url:
        print("overview: skipped (set CASEGRID_BENCH_PG_URL to a PostgreSQL server URL)")
        return
    run(url)


if __name__ == "__main__":
    main()
