"""Overview and overdue lists come from the projections and judge overdue against now."""
from __future__ import annotations

import time_machine

from engine.commands.timers import fire_due
from engine.sla.queries import at_risk_items, department_overview, overdue_items, step_overview
from engine.store.database import Database
from tests.sla.conftest import sh
from tests.sla.helpers import complete_item, open_item, start_demo


def test_the_overview_counts_open_at_risk_overdue_and_the_on_time_closure_rate(sla_db: Database) -> None:
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        late, on_time, fresh = start_demo(sla_db), start_demo(sla_db), start_demo(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(sla_db, open_item(sla_db, late).id)     # handle due Mon 16:00
        complete_item(sla_db, open_item(sla_db, on_time).id)  # handle due Mon 16:00
    with time_machine.travel(sh(2026, 10, 12, 15, 0), tick=False):
        complete_item(sla_db, open_item(sla_db, on_time).id)  # met
        fire_due(sla_db, "w")  # the late case's handling step goes at risk (warning at 15:00)
    now = sh(2026, 10, 12, 16, 30)  # no worker ran since 15:00: overdue is judged against now
    with sla_db.transaction(readonly=True) as session:
        [dept] = department_overview(session, now, sh(2026, 10, 1), sh(2026, 11, 1))
        steps = {row.key: row for row in step_overview(session, now, sh(2026, 10, 1), sh(2026, 11, 1))}
        overdue, total = overdue_items(session, now, department="chengguan")
        assert at_risk_items(session, sh(2026, 10, 12, 15, 30)) != []
    assert (dept.key, dept.open, dept.overdue) == ("chengguan", 2, 1)
    assert (dept.closed, dept.closed_with_limit, dept.closed_on_time) == (3, 3, 3)
    assert dept.on_time_rate == 1.0
    assert steps[("sla_demo", "handle")].open == 1 and steps[("sla_demo", "accept")].open == 1
    assert steps[("sla_demo", "handle")].closed_on_time == 1
    assert total == 1 and overdue[0].case_id == late and overdue[0].due_at == sh(2026, 10, 12, 16, 0)
    _ = fresh
