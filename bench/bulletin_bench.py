"""A month's bulletin as history grows from 10,000 to 1,000,000 closed cases (issue 15). PostgreSQL only.

Run: ``CASEGRID_BENCH_PG_URL=postgresql+psycopg://user@host/postgres python -m bench bulletins``
(or ``make bench``). It creates its own databases ``casegrid_bench_bulletins_small`` and ``_large`` and
drops them at the end (keep them with CASEGRID_BENCH_KEEP=1).

Scenario: the overview benchmark's district (bench/history.py: 10,000 open cases, 10,000 closed in the
last 30 days, in 20 departments), with one urging (督办) for every tenth case, and beside it the same
district with 990,000 older closed cases more (5 years, with their work items, timers and urgings): a
million-case history. Runs alternate between the two. Measured on each:

* **producing the monthly department bulletin** (rules/bulletins/monthly_department_ranking.yaml, its
  departments the district's 20) for last calendar month, as the worker does: every figure read, ranked,
  红榜/黑榜 marked, the PDF and the XLSX rendered and the row stored (then rolled back, so every repeat
  produces it anew); the older history ends 70 days ago, so that month holds the same cases in both;
* the figures alone for the 30 days ending now, and for a month that ended yesterday (items closed
  after the period's end are read too).

The ratios (1M / 10k) show whether a bulletin follows its month or the history.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection

from bench.history import Reading, compare_histories
from bench.measure import on_postgresql
from engine.bulletins.figures import unit_figures
from engine.bulletins.service import produce
from engine.config import PROJECT_ROOT
from engine.reporting.definition import BulletinDefinition, parse_bulletin
from engine.reporting.periods import period_containing
from engine.store.database import Database

DB_NAME = "casegrid_bench_bulletins"
BULLETIN = "rules/bulletins/monthly_department_ranking.yaml"
PRODUCE_REPEATS = 5  # each renders a PDF: a second or so


def _seed_urgings(c: Connection, first: int, last: int) -> None:
    c.execute(text(f"""
        INSERT INTO sla_urgings (case_id, work_item_id, department, urged_by, message, at)
        SELECT g, 'w-' || g, 'dept' || (g % 20), 'bench', 'bench', COALESCE(closed_at, now()) - interval '2 hours'
        FROM generate_series({first}, {last}) AS g JOIN cases ON cases.id = g WHERE g % 10 = 0"""))


def _definition() -> BulletinDefinition:
    definition, problems = parse_bulletin(BULLETIN, (PROJECT_ROOT / BULLETIN).read_text(encoding="utf-8"))
    assert definition is not None, problems
    return replace(definition, departments=tuple(f"dept{i}" for i in range(20)))


def _readings(db: Database) -> list[Reading]:
    now = datetime.now(UTC)
    definition = _definition()
    last_month = period_containing("monthly", date.today().replace(day=1) - timedelta(days=1))

    def production() -> None:
        with db.transaction() as session:
            produced = produce(session, definition, last_month, now, "bench")
            assert produced.bulletin.pdf and produced.bulletin.xlsx
            session.rollback()  # every repeat produces the bulletin, none replaces a stored one

    def month_to_now() -> None:
        with db.transaction(readonly=True) as session:
            unit_figures(session, now - timedelta(days=30), now, now, "department")

    def month_ended() -> None:
        until = now - timedelta(days=1)
        with db.transaction(readonly=True) as session:
            unit_figures(session, until - timedelta(days=30), until, now, "department")

    return [Reading(production, PRODUCE_REPEATS), Reading(month_to_now), Reading(month_ended)]


LINES = ("bulletin produced, last month", "figures, 30 days ending now", "figures, month ended yesterday")


def run(admin_url: str) -> dict[str, float]:
    return compare_histories(admin_url, DB_NAME, LINES, _readings, more=_seed_urgings)


def main() -> None:
    on_postgresql("bulletins", run)


if __name__ == "__main__":
    main()
