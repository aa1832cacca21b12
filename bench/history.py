"""A district's case history on PostgreSQL, seeded set-based, for the benchmarks that ask whether a read
follows the month or the history (bench/overview_bench.py, bench/bulletin_bench.py).

Each benchmark gets two scratch databases of its own (created, migrated, dropped at the end unless
CASEGRID_BENCH_KEEP=1): the small history holds 10,000 open cases and 10,000 closed in the last 30 days,
the large one the same plus 990,000 older closed cases (5 years, ending 70 days ago: last calendar month
holds the same cases in both). Each reading alternates between the two, run by run, so the machine's
noise falls on both columns alike: ``two_histories``.

Seeding is ``INSERT … SELECT … FROM generate_series`` — no ORM, no Python loop over rows — into tables
whose secondary indexes are dropped for the bulk load and rebuilt once after it (maintaining a b-tree
and the trigram indexes row by row is most of the cost of a million-row insert), then VACUUM ANALYZE.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from engine.store.database import Database
from engine.store.migrate import upgrade

OPEN = int(os.environ.get("CASEGRID_BENCH_OPEN") or 10_000)
RECENT_CLOSED = int(os.environ.get("CASEGRID_BENCH_RECENT_CLOSED") or 10_000)
TOTAL_CLOSED = int(os.environ.get("CASEGRID_BENCH_TOTAL_CLOSED") or 1_000_000)
REPEATS = 15
# A reading of a few milliseconds taken 15 times spans a few dozen milliseconds: on a busy machine one
# slow patch of the scheduler moves its median by a third. Quick readings are repeated until each
# history's samples span about a second (at most MAX_REPEATS times); slow ones keep their `repeats`.
SAMPLED_SECONDS = 1.0
MAX_REPEATS = 300
# The tables the seeding fills: their secondary indexes are rebuilt after a bulk load, not kept up per row.
SEEDED_TABLES = ("cases", "work_items", "timers", "sla_urgings")

@contextmanager
def scratch_database(admin_url: str, name: str) -> Iterator[Database]:
    """A new, migrated database ``name`` on the server of ``admin_url``, dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    try:
        upgrade(url)
        yield db
    finally:
        db.dispose()
        if not os.environ.get("CASEGRID_BENCH_KEEP"):
            with admin.connect() as c:
                # FORCE: a benchmark's server processes may still hold a connection as they shut down.
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _bench_bpmn() -> str:
    """The benchmark's six-step process under the key `bench`: the case pages derive from it."""
    xml = (Path(__file__).parent / "definitions" / "processes" / "bench_six_steps.bpmn").read_text(encoding="utf-8")
    return xml.replace("bench_six_steps", "bench")


def seed_base(db: Database) -> None:
    """The process the cases run (deployment 1, version 1) and the 20 departments they are routed to."""
    xml = _bench_bpmn()
    with db.engine.begin() as c:
        c.execute(text("INSERT INTO deployments (id, content_hash, files, deployed_at, deployed_by) "
                       "VALUES (1, 'bench', :files, now(), 'bench')"),
                  {"files": json.dumps({"processes/bench.bpmn": xml})})
        c.execute(text("INSERT INTO process_versions (id, process_key, version, name, family, content_hash, "
                       "bpmn_file, bpmn_xml, deployment_id, deployed_at) VALUES (1, 'bench', 1, 'bench', 'bench', "
                       "'bench', 'processes/bench.bpmn', :xml, 1, now())"), {"xml": xml})
        c.execute(text("INSERT INTO org_units (code, kind, name_zh, name_en) "
                       "SELECT 'dept' || g, 'department', '第' || g || '部门', 'Department ' || g "
                       "FROM generate_series(0, 19) AS g"))


@dataclass(frozen=True)
class _Index:
    name: str
    definition: str


def _secondary_indexes(c: Connection) -> list[_Index]:
    """Indexes of the seeded tables that back no constraint (primary keys and unique constraints stay)."""
    rows = c.execute(text("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(:tables)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"""),
                     {"tables": list(SEEDED_TABLES)})
    return [_Index(name, definition) for name, definition in rows]


@contextmanager
def bulk_load(db: Database) -> Iterator[Connection]:
    """One transaction for a bulk insert: secondary indexes dropped first, rebuilt after, then VACUUM ANALYZE."""
    with db.engine.begin() as c:
        indexes = _secondary_indexes(c)
        for index in indexes:
            c.execute(text(f'DROP INDEX "{index.name}"'))
        yield c
        c.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for index in indexes:
            c.execute(text(index.definition))
    # VACUUM as well: in a district's database years of closed cases have long been vacuumed (their pages
    # all-visible, so index-only scans answer without the table); rows loaded a moment ago have not.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))


def seed_cases(c: Connection, first: int, last: int, *, open_: bool, closed_from: str, closed_span: str) -> None:
    """Cases first..last with one work item each (and SLA timers: pending if open, one fired if closed)."""
    status = "'running'" if open_ else "'completed'"
    closed_at = "NULL" if open_ else f"{closed_from} + (g % 100000) * ({closed_span} / 100000)"
    opened_at = "now() - (g % 1000) * interval '1 hour'" if open_ else f"{closed_at} - interval '3 days'"
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
            completed_by, case_opened_at)
        SELECT 'w-' || g, g, 'bench', 'step' || (g % 8), 'Step ' || (g % 8), NULL, 'handler', 'dept' || (g % 20),
            NULL, '[]', {"CASE WHEN g % 2 = 0 THEN 'user' || (g % 500) END" if open_ else "NULL"},
            {item_status}, {sla_state}, now() - interval '40 days', {due},
            {closed_at}, {"NULL" if open_ else "'user' || (g % 500)"}, {opened_at}
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


SeedMore = Callable[[Connection, int, int], None]


@dataclass(frozen=True)
class Reading:
    """One thing a person opens, as a function to time; at least `repeats` warm runs give its median
    (more for a quick reading: SAMPLED_SECONDS)."""

    run: Callable[[], object]
    repeats: int = REPEATS


Readings = Callable[[Database], list[Reading]]


def seed_recent(db: Database, more: SeedMore | None) -> None:
    """The 10,000 open cases and the 10,000 closed in the last 30 days: the whole of the small history."""
    seed_base(db)
    with bulk_load(db) as c:
        seed_cases(c, 1, OPEN, open_=True, closed_from="now()", closed_span="interval '0'")
        seed_cases(c, OPEN + 1, OPEN + RECENT_CLOSED, open_=False, closed_from="now() - interval '29 days'",
                   closed_span="interval '28 days'")
        if more:
            more(c, 1, OPEN + RECENT_CLOSED)


def seed_older(db: Database, more: SeedMore | None) -> None:
    """The 990,000 older closed cases (five years, ending 70 days ago) that make the large history."""
    with bulk_load(db) as c:
        seed_cases(c, OPEN + RECENT_CLOSED + 1, OPEN + TOTAL_CLOSED, open_=False,
                   closed_from="now() - interval '1870 days'", closed_span="interval '1800 days'")
        if more:
            more(c, OPEN + RECENT_CLOSED + 1, OPEN + TOTAL_CLOSED)


def interleaved_medians(small: list[Reading], large: list[Reading]) -> tuple[list[float], list[float]]:
    """Median milliseconds of each reading on both histories, their runs alternating, so that the
    machine's noise (a checkpoint, another process) hits the two alike instead of one history's column."""
    smalls, larges = [], []
    for one, other in zip(small, large, strict=True):
        start = time.perf_counter()
        one.run(), other.run()  # warm caches and plans: the steady state is what a person meets
        warm = (time.perf_counter() - start) / 2
        samples: tuple[list[float], list[float]] = ([], [])
        for _ in range(max(one.repeats, min(MAX_REPEATS, int(SAMPLED_SECONDS / max(warm, 1e-4))))):
            for reading, kept in ((one, samples[0]), (other, samples[1])):
                start = time.perf_counter()
                reading.run()
                kept.append((time.perf_counter() - start) * 1000)
        smalls.append(statistics.median(samples[0]))
        larges.append(statistics.median(samples[1]))
    return smalls, larges


def two_histories(admin_url: str, name: str, readings: Readings,
                  more: SeedMore | None = None) -> tuple[list[float], list[float]]:
    """The readings on a database holding the small history and on one holding the large, side by side.

    ``more(connection, first, last)`` seeds what a benchmark adds to the cases first..last (in the same
    bulk load)."""
    with scratch_database(admin_url, f"{name}_small") as small, scratch_database(admin_url, f"{name}_large") as large:
        t0 = time.perf_counter()
        seed_recent(small, more)
        print(f"seeded {OPEN:,} open + {RECENT_CLOSED:,} closed in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        seed_recent(large, more)
        seed_older(large, more)
        print(f"seeded the same plus {TOTAL_CLOSED - RECENT_CLOSED:,} older closed cases in"
              f" {time.perf_counter() - t0:.1f} s")
        return interleaved_medians(readings(small), readings(large))


def history_label(closed: int) -> str:
    """A column heading: "10k closed", "1M closed"."""
    return f"{closed / 1e6:g}M closed" if closed >= 1_000_000 else f"{closed / 1000:g}k closed"


def compare_histories(admin_url: str, name: str, labels: tuple[str, ...], readings: Readings,
                      more: SeedMore | None = None, target: float | None = None) -> dict[str, float]:
    """Time ``labels`` on scratch databases ``name``_small and ``name``_large and print each with its ratio
    (and PASS/FAIL against ``target``, when there is one); the ratios by label."""
    small, large = two_histories(admin_url, name, readings, more=more)
    width = max(len(label) for label in labels) + 2
    heading = f"  target <= {target}x" if target is not None else ""
    print(f"{'':<{width}}{history_label(RECENT_CLOSED):>14}{history_label(TOTAL_CLOSED):>14}{'ratio':>8}{heading}")
    ratios = {}
    for label, before, after in zip(labels, small, large, strict=True):
        ratios[label] = after / before
        verdict = "" if target is None else f"  {'PASS' if ratios[label] <= target else 'FAIL'}"
        print(f"{label:<{width}}{before:>11.2f} ms{after:>11.2f} ms{ratios[label]:>8.2f}{verdict}")
    return ratios
