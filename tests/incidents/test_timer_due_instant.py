"""A timer fired at the very instant it falls due (SpiffWorkflow fires only once that instant is past) stays
pending and the case keeps waiting on it; a moment later it fires. Never a row marked fired over a case
that still waits on it, which would leave the case waiting on nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from engine.commands.timers import fire_due
from engine.store.database import Database
from engine.store.models.timers import Timer

from .helpers import FIXED, case_row, deploy_nap, start_nap


def _timer(db: Database, case_id: int) -> Timer:
    with db.transaction(readonly=True) as session:
        return session.scalars(select(Timer).where(Timer.case_id == case_id)).one()


def test_a_timer_fired_at_its_due_instant_stays_pending_and_fires_a_moment_later(db: Database) -> None:
    deploy_nap(db, FIXED)
    start = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        case_id = start_nap(db, wake_in=timedelta(hours=1))
        due = _timer(db, case_id).due_at.replace(tzinfo=UTC)
        clock.move_to(due)

        assert fire_due(db, "w1", due) == 1

        assert _timer(db, case_id).status == "pending"
        assert case_row(db, case_id).data.get("wakes") is None
        clock.move_to(due + timedelta(seconds=1))
        assert fire_due(db, "w1") == 1
    assert _timer(db, case_id).status == "fired"
    assert case_row(db, case_id).data["wakes"] == 1
