"""Who hears of an extension request (延期申请): those who can decide it, and nobody who cannot.

A request asked in the process's own form (social event: 处置 → 延期) is decided in the process's 延期审批
step, which the supervisors' lane works; the handling unit's department head cannot work that step (and the
side panel refuses a request the process owns). A request asked on the side panel is decided there, by the
unit's department heads."""
from __future__ import annotations

import time_machine
from sqlalchemy import select

from engine.commands.tasks import request_extension
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.sla import Notification
from tests.social_event.helpers import act, only_item
from tests.social_event.test_time_limits import _dispatched_monday_10, sh


def _told(db: Database, case_id: int) -> set[str]:
    with db.transaction(readonly=True) as session:
        return set(session.scalars(select(Notification.recipient).where(
            Notification.case_id == case_id, Notification.kind == "sla_extension_requested")))


def test_a_request_asked_in_the_process_form_is_told_to_who_works_its_review_step_not_the_units_head(
        deployed_db: Database) -> None:
    case_id = _dispatched_monday_10(deployed_db)
    with time_machine.travel(sh(2026, 10, 12, 11, 0), tick=False):
        act(deployed_db, only_item(deployed_db, case_id, "handle").id, "huanwei_h1",
            {"handle_decision": "extension", "extension_value": 2, "extension_unit": "working_hours",
             "extension_reason": "清运车辆检修"})
    review = only_item(deployed_db, case_id, "review_extension")
    assert review.role == "supervisor"
    told = _told(deployed_db, case_id)
    assert told == {"supervisor1", "supervisor2"}
    assert "huanwei_head" not in told
    with deployed_db.transaction(readonly=True) as session:
        note = session.scalars(select(Notification).where(Notification.case_id == case_id,
                                                          Notification.kind == "sla_extension_requested")).first()
        assert "申请延期 2 个工作小时：清运车辆检修" in note.message and note.message_key == "extension.requested"


def test_a_request_asked_on_the_side_panel_is_told_to_the_units_department_heads(sla_db: Database) -> None:
    """The side panel's requests are decided on the dashboard by the unit's heads: they are told, as before."""
    from tests.sla.helpers import complete_item, open_item, start_demo

    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start_demo(sla_db)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(sla_db, open_item(sla_db, case_id).id)
    handle = open_item(sla_db, case_id)
    with sla_db.transaction() as session:
        request_extension(session, actor_for(session, "h1"), handle.id, 2, "working_hours", "needs a site survey")
    assert _told(sla_db, case_id) == {"head_cg"}
