"""A running emergency case moves to a new version of the shipped process while its agencies work inside the
multi-instance subprocess (the case SpiffArena refuses): their items, timers and message waits follow."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.commands.migrations import migrate_case
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.org.access import system_actor
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from tests.families.helpers import case_row, open_items, pending_timers, start_incident, waiting_messages
from tests.families.test_emergency_agency_tasks import agency_items, agency_work

SHIPPED = (PROJECT_ROOT / "processes" / "emergency_linkage.bpmn").read_text(encoding="utf-8")


def _deploy_renamed_acknowledge(db: Database) -> None:
    changed = SHIPPED.replace('<bpmn:userTask id="agency_acknowledge" name="接警确认">',
                              '<bpmn:userTask id="agency_acknowledge" name="接警并确认出动">')
    assert changed != SHIPPED
    with db.transaction() as session:
        deploy(session, Bundle({"processes/emergency_linkage.bpmn": changed}), actor="test")


def test_agencies_inside_the_multi_instance_subprocess_keep_their_work_across_a_migration(deployed_db, clock):
    case_id = start_incident(deployed_db)
    clock.shift(timedelta(seconds=30))
    before_items = {i.id: (i.task_spec, i.department) for i in open_items(deployed_db, case_id)}
    before_timers = {t.spiff_task_id for t in pending_timers(deployed_db, case_id)}
    before_messages = waiting_messages(deployed_db, case_id)
    assert set(agency_items(deployed_db, case_id)) == {"gongan", "ranqi"}
    _deploy_renamed_acknowledge(deployed_db)

    with deployed_db.transaction() as session:
        plan = migrate_case(session, system_actor(), "emergency_linkage", case_id, 1, 2)

    assert plan.movable and "agency_acknowledge" in {m.element for m in plan.moves}
    after = {i.id: (i.task_spec, i.department) for i in open_items(deployed_db, case_id)}
    assert after == before_items
    assert {i.task_name for i in agency_items(deployed_db, case_id).values()} == {"接警并确认出动"}
    assert {t.spiff_task_id for t in pending_timers(deployed_db, case_id)} == before_timers
    assert waiting_messages(deployed_db, case_id) == before_messages
    with deployed_db.transaction(readonly=True) as session:
        assert session.scalar(select(AuditEvent.details).where(AuditEvent.case_id == case_id,
                                                               AuditEvent.action == "case_migrated"))["to"] == 2

    agency_work(deployed_db, case_id, "police", "agency_acknowledge", {"officer": "赵刚", "note": "两辆警车"})
    assert set(agency_items(deployed_db, case_id, "agency_arrive")) == {"gongan"}
    assert case_row(deployed_db, case_id).status == "running"
