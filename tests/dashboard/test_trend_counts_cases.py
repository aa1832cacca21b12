"""The trend counts cases, not steps: a day's closures are the cases completed that day, each once, on time
or late by the same rule as the headline (engine.dashboard.case_kpis); a running case has closed nothing."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine.commands.cases import cancel
from engine.dashboard.case_kpis import case_figures
from engine.dashboard.trend import daily_trend
from engine.org.service import actor_for
from engine.store.database import Database
from tests.conftest import clear_engine_caches
from tests.sla.conftest import prepare, sh
from tests.sla.helpers import complete_item, open_item, start_demo

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def trend_db(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("trend") / "trend.sqlite3"
    shutil.copy(sqlite_template, path)
    clear_engine_caches()
    database = prepare(Database(f"sqlite:///{path}"))
    on_time, late, running, cancelled = (start_at(database, 9) for _ in range(4))
    with time_machine.travel(sh(2026, 10, 13, 10, 0), tick=False):
        for case_id in (on_time, late, running):
            complete_item(database, open_item(database, case_id).id)  # 'accept', in time
        complete_item(database, open_item(database, on_time).id)  # 'handle' within its 4 working hours
    with time_machine.travel(sh(2026, 10, 13, 17, 30), tick=False):
        complete_item(database, open_item(database, late).id)  # 'handle' past its 4 working hours
        with database.transaction() as session:
            cancel(session, actor_for(session, "sup1"), cancelled, "重复上报")
    yield database
    database.dispose()
    clear_engine_caches()


def start_at(database: Database, hour: int) -> int:
    with time_machine.travel(sh(2026, 10, 13, hour, 0), tick=False):
        return start_demo(database)


def test_the_trend_counts_cases_not_steps(trend_db: Database) -> None:
    with trend_db.transaction(readonly=True) as session:
        [day] = daily_trend(session, sh(2026, 10, 13), sh(2026, 10, 14), SH)
    # Four cases received; five steps were completed that day, but two cases closed (one on time, one
    # late), the running one closed nothing and the cancelled one was not handled to the end.
    assert (day.opened, day.closed, day.closed_on_time, day.closed_late) == (4, 2, 1, 1)
    assert day.on_time_rate == 0.5


def test_the_trend_of_a_period_adds_up_to_the_headline_case_figures(trend_db: Database) -> None:
    with trend_db.transaction(readonly=True) as session:
        days = daily_trend(session, sh(2026, 10, 12), sh(2026, 10, 15), SH)
        headline = case_figures(session, sh(2026, 10, 12), sh(2026, 10, 15), None)
    assert sum(d.closed for d in days) == headline.closed
    assert sum(d.closed_on_time for d in days) == headline.closed_on_time
    assert sum(d.closed_on_time + d.closed_late for d in days) == headline.closed_with_limit
