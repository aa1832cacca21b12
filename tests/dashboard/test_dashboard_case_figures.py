"""The dashboard's headline counts cases: a case closed on time had no step late and met its own due date;
the per-department and per-step tables keep counting steps."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.dashboard.case_kpis import case_figures
from engine.sla.queries import department_overview
from engine.store.database import Database
from engine.store.models.cases import Case
from tests.sla.conftest import prepare, sh
from tests.sla.helpers import complete_item, open_item, start_demo

PERIOD = (sh(2026, 10, 12), sh(2026, 10, 20))


@pytest.fixture
def sla_db(db: Database) -> Database:
    return prepare(db)


def _close(db: Database, accept_at: tuple[int, ...], handle_at: tuple[int, ...]) -> int:
    """An sla_demo case started Tuesday 13 Oct 09:00: accept (5 working days), then handle (4 working hours)."""
    with time_machine.travel(sh(2026, 10, 13, 9, 0), tick=False):
        case_id = start_demo(db)
    with time_machine.travel(sh(*accept_at), tick=False):
        complete_item(db, open_item(db, case_id).id)
    with time_machine.travel(sh(*handle_at), tick=False):
        complete_item(db, open_item(db, case_id).id)
    return case_id


@pytest.fixture
def closed_cases(sla_db: Database) -> tuple[Database, int, int]:
    on_time = _close(sla_db, (2026, 10, 13, 9, 30), (2026, 10, 13, 11, 0))
    handled_late = _close(sla_db, (2026, 10, 13, 9, 30), (2026, 10, 15, 11, 0))  # accept met, handle two days late
    return sla_db, on_time, handled_late


def test_a_case_with_one_late_step_is_a_late_case_though_most_of_its_steps_were_on_time(closed_cases) -> None:
    db, _on_time, _late = closed_cases
    with db.transaction(readonly=True) as session:
        cases = case_figures(session, *PERIOD, None)
        steps = department_overview(session, sh(2026, 10, 20), *PERIOD)
    assert (cases.closed, cases.closed_with_limit, cases.closed_on_time) == (2, 2, 1)
    assert cases.on_time_rate == 0.5
    # The step figures are another measure: three of the four steps met their limits.
    assert sum(r.closed_on_time for r in steps) == 3 and sum(r.closed_with_limit for r in steps) == 4


def test_a_case_closed_after_its_own_due_date_is_late_even_when_every_step_was_on_time(closed_cases) -> None:
    db, on_time, _late = closed_cases
    with db.transaction() as session:
        case = session.get(Case, on_time)
        assert case is not None and case.closed_at is not None
        case.due_at = case.closed_at - timedelta(minutes=1)  # the case-level limit of a process that sets one
    with db.transaction(readonly=True) as session:
        assert case_figures(session, *PERIOD, None).closed_on_time == 0


def test_cases_closed_outside_the_period_or_in_other_departments_do_not_count(closed_cases) -> None:
    db, _on_time, _late = closed_cases
    with db.transaction(readonly=True) as session:
        assert case_figures(session, sh(2026, 10, 16), sh(2026, 10, 20), None).closed == 0
        elsewhere = case_figures(session, *PERIOD, ["huanwei"])
    assert (elsewhere.closed, elsewhere.on_time_rate) == (0, None)
