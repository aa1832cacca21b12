"""Dashboard figures: the daily trend buckets by the district's local day, and periods are local dates."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engine.dashboard.scope import departments_in_scope
from engine.dashboard.trend import daily_trend
from engine.errors import Forbidden
from engine.org.access import Actor
from engine.store.database import Database
from tests.sla.conftest import prepare, sh
from tests.sla.helpers import complete_item, open_item, start_demo
from web.dashboard.period import period_bounds

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sla_db(db: Database) -> Database:
    return prepare(db)


def test_the_trend_counts_by_local_day_with_empty_days_kept(sla_db: Database) -> None:
    # Opened 00:30 Shanghai on 13 Oct is still 12 Oct in UTC: it must count on the 13th.
    with time_machine.travel(sh(2026, 10, 13, 0, 30), tick=False):
        late_night = start_demo(sla_db)
    with time_machine.travel(sh(2026, 10, 15, 9, 0), tick=False):
        complete_item(sla_db, open_item(sla_db, late_night).id)  # 'accept' within its 5 working days: met
        complete_item(sla_db, open_item(sla_db, late_night).id)  # 'handle' at once: the case closes on time
    with sla_db.transaction(readonly=True) as session:
        days = daily_trend(session, sh(2026, 10, 12), sh(2026, 10, 16), SH)
    assert [d.day for d in days] == [date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 14), date(2026, 10, 15)]
    assert [d.opened for d in days] == [0, 1, 0, 0]
    assert [(d.closed, d.closed_on_time, d.closed_late) for d in days][3] == (1, 1, 0)
    assert days[3].on_time_rate == 1.0 and days[0].on_time_rate is None


def test_the_trend_of_a_department_leaves_out_other_departments(sla_db: Database) -> None:
    with time_machine.travel(sh(2026, 10, 13, 9, 0), tick=False):
        case_id = start_demo(sla_db, {"responsible_department": "chengguan"})  # the case's own department
        complete_item(sla_db, open_item(sla_db, case_id).id)
        complete_item(sla_db, open_item(sla_db, case_id).id)
    with sla_db.transaction(readonly=True) as session:
        mine = daily_trend(session, sh(2026, 10, 13), sh(2026, 10, 14), SH, ["chengguan"])
        other = daily_trend(session, sh(2026, 10, 13), sh(2026, 10, 14), SH, ["huanwei"])
    assert mine[0].closed == 1 and other[0].closed == 0


def test_explicit_dates_are_whole_local_days_with_the_last_one_included() -> None:
    now = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
    since, until = period_bounds({"days": 30, "since": date(2026, 10, 1), "until": date(2026, 10, 7)}, now, SH)
    assert since == sh(2026, 10, 1) and until == sh(2026, 10, 8)
    since, until = period_bounds({"days": 7, "since": None, "until": None}, now, SH)
    assert (until - since).days == 7 and until == now


def test_a_period_never_ends_in_the_future() -> None:
    now = datetime(2026, 10, 20, 4, 0, tzinfo=UTC)
    _since, until = period_bounds({"days": 30, "since": date(2026, 10, 1), "until": date(2026, 12, 31)}, now, SH)
    assert until == now


def test_roles_declared_to_oversee_all_see_every_department_and_department_overseers_their_own_only() -> None:
    supervisor = frozenset({("supervisor", "all", "all")})
    head = frozenset({("department_head", "department", "department")})
    assert departments_in_scope(Actor("s", roles=frozenset({("supervisor", None)}), reach=supervisor)) is None
    assert departments_in_scope(Actor("h", "chengguan", frozenset({("department_head", None)}), reach=head)) == ["chengguan"]
    assert departments_in_scope(Actor("h", None, frozenset({("department_head", None)}), reach=head)) == []
    with pytest.raises(Forbidden):
        departments_in_scope(Actor("w", "chengguan", frozenset({("handler", None)}),
                                   reach=frozenset({("handler", "department", None)})))


def _closed(database: Database, case_id: int) -> bool:
    from engine.store.models.cases import Case

    with database.transaction(readonly=True) as session:
        return session.get(Case, case_id).closed_at is not None  # type: ignore[union-attr]


def test_the_trend_counted_by_the_database_agrees_with_bucketing_each_row(sla_db: Database) -> None:
    # The database groups by local day (engine.dashboard.trend._grouped); a zone it cannot convert falls
    # back to bucketing rows in Python. Both must tell the same days, around local midnight too.
    from engine.dashboard.trend import _bucketed, _grouped

    with time_machine.travel(sh(2026, 10, 13, 0, 30), tick=False):
        first = start_demo(sla_db)
    with time_machine.travel(sh(2026, 10, 13, 23, 50), tick=False):
        start_demo(sla_db)
        while not _closed(sla_db, first):  # the trend counts closed cases, not completed steps
            complete_item(sla_db, open_item(sla_db, first).id)
    with sla_db.transaction(readonly=True) as session:
        grouped = _grouped(session, sh(2026, 10, 12), sh(2026, 10, 16), SH, None)
        bucketed = _bucketed(session, sh(2026, 10, 12), sh(2026, 10, 16), SH, None)
    assert grouped is not None and grouped == bucketed and grouped[date(2026, 10, 13)][:2] == [2, 1]


def test_a_list_total_beyond_the_bound_is_a_lower_bound_and_the_pages_say_so(sla_db: Database, monkeypatch) -> None:
    # Counting every case a supervisor sees would read the whole history: totals stop at the bound
    # ("1,000+ 件"), or at the end of the page asked for when that is further, so paging goes on.
    from engine.cases.access import CaseFilter, list_visible_cases
    from engine.org.access import system_actor
    from engine.store import counting

    monkeypatch.setattr(counting, "COUNT_BOUND", 3)
    for _ in range(5):
        start_demo(sla_db)
    with sla_db.transaction(readonly=True) as session:
        rows, total = list_visible_cases(session, system_actor(), CaseFilter(), limit=2)
        _rows, far = list_visible_cases(session, system_actor(), CaseFilter(), limit=2, offset=2)
        _rows, last = list_visible_cases(session, system_actor(), CaseFilter(), limit=2, offset=4)
    assert len(rows) == 2 and total == 3 and total.at_least
    assert far == 4 and far.at_least
    assert last == 5 and not last.at_least
