"""Deadlines past the loaded years are provisional and are recomputed when the year is loaded;
the calendar lives in the database and the sandbox helpers use it once loaded."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from engine.calendar import helpers as calendar_helpers
from engine.calendar.yearfile import DraftYearRefused
from engine.config import PROJECT_ROOT
from engine.sla.calendar_store import install_default_calendar, month_days, seed_from_chinese_calendar
from engine.sla.recompute import load_year
from engine.store.database import Database
from engine.store.models.cases import Case
from tests.sla.conftest import sh
from tests.sla.helpers import actions, clock_of, complete_item, open_item, pending_timers, start_demo

# A stand-in for the State Council's 2027 notice: New Year's Day Fri 1 Jan to Sun 3 Jan, and
# Mon 4 Jan declared a day off as well (made up on Sat 9 Jan), so the moves are visible.
OFFICIAL_2027 = """\
year: 2027
status: official
source: test notice
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-04, days: 4}
makeup_workdays:
  - {date: 2027-01-09, name: 元旦}
"""


@pytest.fixture(autouse=True)
def _restore_default_calendar() -> object:
    yield
    calendar_helpers.set_default_calendar(None)


def _case_due_in_2027(db: Database) -> tuple[int, str]:
    with db.transaction() as session:
        seed_from_chinese_calendar(session)  # 2004-2026: 2027 is not loaded
    with time_machine.travel(sh(2026, 12, 30, 9, 0), tick=False):
        case_id = start_demo(db)
    with time_machine.travel(sh(2026, 12, 31, 17, 0), tick=False):
        complete_item(db, open_item(db, case_id).id)
    return case_id, open_item(db, case_id).id


def test_a_deadline_past_the_loaded_years_is_computed_on_weekends_only_and_marked_provisional(sla_db: Database) -> None:
    case_id, item_id = _case_due_in_2027(sla_db)
    item = open_item(sla_db, case_id)
    # 1 h on Thu 31 Dec, then Fri 1 Jan 2027 taken as a working day: 09:00-12:00.
    assert item.due_at == sh(2027, 1, 1, 12, 0)
    clock = clock_of(sla_db, item_id)
    assert clock.provisional and clock.missing_years == [2027]


def test_loading_the_year_recomputes_provisional_deadlines_of_items_timers_and_cases(sla_db: Database) -> None:
    case_id, item_id = _case_due_in_2027(sla_db)
    with time_machine.travel(sh(2026, 12, 31, 17, 30), tick=False), sla_db.transaction() as session:
        report = load_year(session, OFFICIAL_2027, "operator")
    assert report.recompute.recomputed == 1 and len(report.recompute.moved) == 1
    # Jan 1-4 are now holidays: the 3 remaining working hours run Tue 5 Jan 09:00-12:00.
    item = open_item(sla_db, case_id)
    assert item.due_at == sh(2027, 1, 5, 12, 0)
    assert not clock_of(sla_db, item_id).provisional
    assert (("sla_breach", sh(2027, 1, 5, 12, 0)) in pending_timers(sla_db, case_id))
    with sla_db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.due_at == sh(2027, 1, 5, 12, 0)
    assert actions(sla_db, case_id, "sla_deadline_recomputed") == 1


def test_a_draft_year_is_refused_unless_allowed_and_then_deadlines_stay_provisional(sla_db: Database) -> None:
    case_id, item_id = _case_due_in_2027(sla_db)
    draft = (PROJECT_ROOT / "rules" / "calendar" / "cn-2027.yaml").read_text(encoding="utf-8")
    with pytest.raises(DraftYearRefused), sla_db.transaction() as session:
        load_year(session, draft, "operator")
    with sla_db.transaction() as session:
        report = load_year(session, draft, "operator", allow_draft=True)
    assert report.recompute.still_provisional == 1
    # The draft makes Jan 1 a holiday: the deadline moves to Mon 4 Jan noon, still provisional.
    assert open_item(sla_db, case_id).due_at == sh(2027, 1, 4, 12, 0)
    assert clock_of(sla_db, item_id).provisional


def test_the_sandbox_helpers_use_the_calendar_stored_in_the_database(sla_db: Database) -> None:
    with sla_db.transaction() as session:
        seed_from_chinese_calendar(session)
        load_year(session, OFFICIAL_2027, "operator")
        install_default_calendar(session)
        kinds = {row.day.day: row.kind for row in month_days(session, 2027, 1)}
    assert kinds[4] == "holiday" and kinds[9] == "makeup"
    # From Thu 31 Dec 2026 10:00, one working day lands on Tue 5 Jan 2027 (Jan 1-4 off).
    assert calendar_helpers.add_working_days(sh(2026, 12, 31, 10, 0), 1) == sh(2027, 1, 5, 10, 0)


def test_init_seeds_the_calendar_table_from_chinese_calendar(sla_db: Database) -> None:
    from engine.sla.bootstrap import seed_calendar
    from engine.store.models.sla import CalendarYear

    with sla_db.transaction() as session:
        seed_calendar(session, PROJECT_ROOT)
        years = {y.year: (y.status, y.origin) for y in session.scalars(select(CalendarYear))}
    assert years[2026] == ("official", "chinese_calendar") and 2004 in years and 2027 not in years
