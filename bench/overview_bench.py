"""Every list a person opens, as history grows from 10k to 1M closed cases. PostgreSQL only.

Inbox, case list (a supervisor who sees all, a handler who sees their department, a handler of a
department with no cases, who sees only what they opened or worked on), case search,
supervision overviews, the dashboard with its daily trend, and the due-timer sweep; each is printed
with its 1M/10k ratio against the target of 1.2x (issue 16 point 6) and PASS/FAIL.

Run: ``CASEGRID_BENCH_PG_URL=postgresql+psycopg://user@host/postgres python -m bench overview``
(or ``make bench``). The URL names a server database the benchmark may connect to; it creates its
own databases ``casegrid_bench_overview_small`` and ``_large``, drops them at the end (to keep them: set
CASEGRID_BENCH_KEEP=1), and never touches another.

Scenario: a district with 10,000 open cases (one open work item each, two pending SLA timers
each, a few hundred of them due) and a steady intake: 10,000 cases closed in the last 30 days.
One database holds only those 10,000 closed cases as history, the other 990,000 older closed cases more
(5 years, each with its work item and fired timer): 1,000,000 closed. Runs alternate between the two.
The overview asks for "now" and for the last 30 days, as a dashboard does; the sweep is what a
worker runs each round (due pending timers, FOR UPDATE SKIP LOCKED, and the next due time).
Seeding (bench/history.py, shared with the bulletin benchmark) uses INSERT … SELECT generate_series
with the secondary indexes rebuilt after the load: 3 million rows in a minute or two.
Work is spread over 500 people (`user0` … `user499`): open items are assigned to every other one,
closed ones completed by them, so a handler's own part in history grows with it.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.history import Reading, compare_histories
from bench.measure import on_postgresql
from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.queries import CaseSearch, search_cases
from engine.dashboard.view import dashboard
from engine.org.abilities import Ability
from engine.org.access import Actor
from engine.sla.queries import department_overview, overdue_items, step_overview
from engine.store.database import Database
from engine.store.models.timers import Timer
from engine.tasks.inbox import inbox
from engine.tasks.queries import TaskFilter
from engine.timers.service import next_due_at

DB_NAME = "casegrid_bench_overview"


SUPERVISOR = Actor("supervisor1", roles=frozenset({("supervisor", None)}),
                   reach=frozenset({("supervisor", "all", "all")}), abilities=frozenset({Ability.DASHBOARD}))
# A department handler whose own past work (completed_by) lies in another department's cases.
HANDLER = Actor("user17", department="dept5", roles=frozenset({("handler", None)}),
                reach=frozenset({("handler", "department", None)}))
# A handler of a department no case has been routed to: every case they see is theirs by their own part
# (opened by them, their tasks), a five-hundredth of the history, which grows with it.
OWN_ONLY = Actor("user42", department="dept20", roles=frozenset({("handler", None)}),
                 reach=frozenset({("handler", "department", None)}))
LISTS = ("inbox (handler, mine + candidate)", "case list, supervisor", "case list, handler",
         "case list, own tasks only",
         "case search (category, text)", "department overview+overdue", "step overview",
         "dashboard with trend", "due-timer sweep")
TARGET = 1.2


def _readings(db: Database) -> list[Reading]:
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
        read(lambda s: list_visible_cases(s, OWN_ONLY, CaseFilter(), limit=20)),
        read(search),
        read(overview),
        read(lambda s: step_overview(s, now, *period)),
        read(lambda s: dashboard(s, SUPERVISOR, now, *period, tz)),
        sweep,
    ]
    return [Reading(run) for run in runs]


def run(admin_url: str) -> dict[str, float]:
    return compare_histories(admin_url, DB_NAME, LISTS, _readings, target=TARGET)


def main() -> None:
    on_postgresql("overview", run)


if __name__ == "__main__":
    main()
