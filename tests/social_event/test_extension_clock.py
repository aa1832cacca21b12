"""Asking for more time is not finishing on time (issue 13, point 6): the clock of a task completed with an
extension request closes neither met nor late, and the on-time figures leave it out."""
from __future__ import annotations

import time_machine
from sqlalchemy import select

from engine.sla.queries import department_overview
from engine.store.database import Database
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem
from tests.social_event.helpers import act, only_item
from tests.social_event.test_time_limits import _dispatched_monday_10, sh


def test_a_handling_task_that_asks_for_more_time_is_neither_met_nor_late_in_the_figures(deployed_db: Database) -> None:
    db = deployed_db
    case_id = _dispatched_monday_10(db)
    asking = only_item(db, case_id, "handle")
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False):  # well within its limit
        act(db, asking.id, "huanwei_h1", {"handle_decision": "extension", "extension_value": 2,
                                          "extension_unit": "working_hours", "extension_reason": "清运车辆检修"})
    with db.transaction(readonly=True) as session:
        item = session.get(WorkItem, asking.id)
        clock = session.scalars(select(SlaClock).where(SlaClock.work_item_id == asking.id)).one()
        assert (item.status, item.sla_state, clock.status) == ("completed", "extension_asked", "extension_asked")
        huanwei = [row for row in department_overview(session, sh(2026, 10, 12, 11, 5), sh(2026, 10, 12, 0, 0),
                                                      sh(2026, 10, 13, 0, 0)) if row.key == "huanwei"]
    assert huanwei and (huanwei[0].closed, huanwei[0].closed_with_limit, huanwei[0].closed_on_time) == (1, 0, 0)
    # The deadline carries on: once the review decides, handling again is measured against it.
    with time_machine.travel(sh(2026, 10, 12, 11, 30), tick=False):
        act(db, only_item(db, case_id, "review_extension").id, "supervisor1", {"extension_decision": "approve"})
    with time_machine.travel(sh(2026, 10, 12, 12, 0), tick=False):
        act(db, only_item(db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    with db.transaction(readonly=True) as session:
        states = list(session.scalars(select(WorkItem.sla_state).where(
            WorkItem.case_id == case_id, WorkItem.task_spec == "handle").order_by(WorkItem.created_at)))
    assert states == ["extension_asked", "met"]
