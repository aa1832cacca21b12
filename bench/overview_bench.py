"""Every list a person opens, as history grows from 10k to 1M closed cases. PostgreSQL only.

Inbox, case list (a supervisor who sees all, a handler who sees their department), case search,
supervision overviews, the dashboard with its daily trend, and the due-timer sweep; each is printed
with its 1M/10k ratio against the target of 1.2x (issue 16 point 6) and PASS/FAIL.

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
Work is spread over 500 people (`user0` … `user499`): open items are assigned to every other one,
closed ones completed by them, so a handler's own part in history grows with it.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.queries import CaseSearch, search_cases
from engine.dashboard.view import dashboard
from engine.org.abilities import Ability
from engine.org.access import Actor
from engine.sla.queries import department_overview, overdue_items, step_overview
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models.timers import Timer
from engine.tasks.inbox import inbox
from engine.tasks.queries import TaskFilter
from engine.timers.service import next_due_at

DB_NAME = "casegrid_bench_overview"
OPEN = 10_000
RECENT_CLOSED = 10_000
TOTAL_CLOSED = 1_000_000
REPEATS = 15


def _bench_bpmn() -> str:
    """The benchmark's six-step process under the key `bench`: the case pages derive from it."""
    xml = (Path(__file__).parent / "definitions" / "processes" / "bench_six_steps.bpmn").read_text(encoding="utf-8")
    return xml.replace("bench_six_steps", "bench")


def _seed_base(db: Database) -> None:
    xml = _bench_bpmn()
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO deployments (id, content_hash, files, deployed_at, deployed_by) "
                       "VALUES (1, 'bench', :files, now(), 'bench')"),
                  {"files": json.dumps({"processes/bench.bpmn": xml})})
        c.execute(text("INSERT INTO process_versions (id, process_key, version, name, family, content_hash, "
                       "bpmn_file, bpmn_xml, deployment_id, deployed_at) VALUES (1, 'bench', 1, 'bench', 'bench', "
                       "'bench', 'processes/bench.bpmn', :xml, 1, now())"), {"xml": xml})


def _seed_cases(db: Database, first: int, last: int, *, open_: bool, closed_from: str, closed_span: str) -> None:
    """Cases first..last with one work item each (and SLA timers: pending if open, one fired if closed)."""
    status = "'running'" if open_ else "'completed'"
    closed_at = "NULL" if open_ else f"{closed_from} + (g % 100000) * ({closed_span} / 100000)"
    opened_at = "now() - (g % 1000) * interval '1 hour'" if open_ else f"{closed_at} - interval '3 days'"
    with db.engine.begin() as c:
        c.execute(text(f"""
            INSERT INTO cases (id, business_key, process_version_id, process_key, family, title, status,
                current_step, category, grid_cell, street, department, priority, opened_by, opened_at,
                closed_at, due_at, data, workflow_state, version)
            SELECT g, 'B-' || g, 1, 'bench', 'bench', 'case ' || g, {status}, NULL, 'c' || (g % 40),
                NULL, NULL, 'dept' || (g % 20), 3, 'user' || (g % 500), {opened_at}, {closed_at},
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
                NULL, '[]', {"CASE WHEN g % 2 = 0 THEN 'user' || (g % 500) END" if open_ else "NULL"},
                {item_status}, {sla_state}, now() - interval '40 days', {due},
                {closed_at}, {"NULL" if open_ else "'user' || (g % 500)"}
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


SUPERVISOR = Actor("supervisor1", roles=frozenset({("supervisor", None)}),
                   reach=frozenset({("supervisor", "all", "all")}), abilities=frozenset({Ability.DASHBOARD}))
# A department handler whose own past work (completed_by) lies in another department's cases.
HANDLER = Actor("user17", department="dept5", roles=frozenset({("handler", None)}),
                reach=frozenset({("handler", "department", None)}))
LISTS = ("inbox (handler, mine + candidate)", "case list, supervisor", "case list, handler",
         "case search (category, text)", "department overview+overdue", "step overview",
         "dashboard with trend", "due-timer sweep")
TARGET = 1.2


def _measure(db: Database) -> list[float]:
    now = datetime.now(UTC)
    period = (now - timedelta(days=30), now)
    tz = ZoneInfo("Asia/Shanghai")

    def read(action: Callable[[Session], object]) -> Callable[[], object]:
        def run() -> None:
            with db.transaction(readonly=True) as session:
                action(session)
        return run

    def inboxes(session: Session) -> None:
        inbox(session, HANDLER, TaskFilter(scope="mine"), limit=50)
        inbox(session, HANDLER, TaskFilter(scope="candidate"), limit=50)

    def search(session: Session) -> None:
        search_cases(session, SUPERVISOR, CaseSearch(category="c7"))
        search_cases(session, HANDLER, CaseSearch(text="B-1234"))  # a number half-remembered

    def overview(session: Session) -> None:
        department_overview(session, now, *period)
        overdue_items(session, now, limit=50)

    def sweep() -> None:
        with db.transaction() as session:
            session.scalars(select(Timer).where(Timer.status == "pending", Timer.due_at <= now)
                            .order_by(Timer.due_at, Timer.id).limit(200).with_for_update(skip_locked=True)).all()
            next_due_at(session)
            session.rollback()  # measure the claim, fire nothing

    runs: list[Callable[[], object]] = [
        read(inboxes),
        read(lambda s: list_visible_cases(s, SUPERVISOR, CaseFilter(), limit=20)),
        read(lambda s: list_visible_cases(s, HANDLER, CaseFilter(), limit=20)),
        read(search),
        read(overview),
        read(lambda s: step_overview(s, now, *period)),
        read(lambda s: dashboard(s, SUPERVISOR, now, *period, tz)),
        sweep,
    ]
    return [_median_ms(run) for run in runs]


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
    print(f"{'':<36}{'10k closed':>14}{'1M closed':>14}{'ratio':>8}  target <= {TARGET}x")
    for label, before, after in zip(LISTS, small, large, strict=True):
        ratio = after / before
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(f"{label:<36}{before:>11.2f} ms{after:>11.2f} ms{ratio:>8.2f}  {verdict}")
    return {label: after / before for label, before, after in zip(LISTS, small, large, strict=True)}


def main() -> None:
    url = os.environ.get("CASEGRID_BENCH_PG_URL")
    if not url:
        print("overview: skipped (set CASEGRID_BENCH_PG_URL to a PostgreSQL server URL)")
        return
    run(url)


if __name__ == "__main__":
    main()
