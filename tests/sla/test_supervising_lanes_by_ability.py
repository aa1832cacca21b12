"""Who stands in for a supervising role is declared, not coded: decision steps are listed in the lanes of
the roles that may decide_extensions, and escalations are acknowledged by the role they were sent to (in
a department it oversees) or by those who may oversee_every_lane — the administrator, by its `may` list."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.commands.timers import fire_due
from engine.dashboard.view import dashboard
from engine.errors import Forbidden
from engine.org.service import actor_for
from engine.sla.queries import open_escalations
from engine.sla.services import acknowledge_escalation
from engine.store.database import Database
from engine.store.models.org import Role, User, UserRole
from engine.store.models.tasks import WorkItem
from tests.sla.conftest import SH, prepare, sh
from tests.sla.helpers import complete_item, open_item, start_demo

EXTRA_USERS = {"adm": (None, "admin"), "head_hw": ("huanwei", "department_head")}


@pytest.fixture
def lanes_db(db: Database) -> Database:
    prepare(db)
    with db.transaction() as session:
        for name, (department, role) in EXTRA_USERS.items():
            session.add(User(username=name, display_name=name, department=department, roles=[UserRole(role=role)]))
    return db


def _decision_step(db: Database, lane: str) -> str:
    """An open step moved into `lane`, as a process's 争议裁定 or 延期审批 sits in a supervising lane."""
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        item_id = open_item(db, start_demo(db)).id
    with db.transaction() as session:
        item = session.get(WorkItem, item_id)
        assert item is not None
        item.role = lane
    return item_id


def _listed(db: Database, username: str) -> list[str]:
    now = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)
    with db.transaction(readonly=True) as session:
        view = dashboard(session, actor_for(session, username), now, now - timedelta(days=7), now, SH)
    return [d.item.id for d in view.decision_tasks]


def test_decision_steps_are_listed_in_the_deciding_lanes_one_holds_and_in_all_of_them_for_who_oversees_every_lane(
        lanes_db: Database) -> None:
    item_id = _decision_step(lanes_db, "supervisor")
    assert _listed(lanes_db, "sup1") == [item_id]
    assert _listed(lanes_db, "head_cg") == []  # not their lane
    assert _listed(lanes_db, "adm") == [item_id]  # may: oversee_every_lane


def test_a_lane_whose_role_no_longer_decides_extensions_is_no_deciding_lane(lanes_db: Database) -> None:
    _decision_step(lanes_db, "supervisor")
    with lanes_db.transaction() as session:
        role = session.scalars(select(Role).where(Role.code == "supervisor")).one()
        role.may = [ability for ability in role.may if ability != "decide_extensions"]
    assert _listed(lanes_db, "sup1") == [] and _listed(lanes_db, "adm") == []


def _escalated(db: Database) -> int:
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        case_id = start_demo(db)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        complete_item(db, open_item(db, case_id).id)
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        fire_due(db, "w1")
    with db.transaction(readonly=True) as session:
        [escalation] = open_escalations(session, role="department_head", department="chengguan")
        return escalation.id


def test_an_escalation_to_department_heads_is_not_theirs_to_acknowledge_in_another_department(
        lanes_db: Database) -> None:
    escalation_id = _escalated(lanes_db)
    with lanes_db.transaction() as session:
        with pytest.raises(Forbidden) as refused:
            acknowledge_escalation(session, escalation_id, actor_for(session, "head_hw"))
    assert refused.value.key == "escalation.may_not_acknowledge"


def test_who_may_oversee_every_lane_acknowledges_an_escalation_sent_to_another_role(lanes_db: Database) -> None:
    escalation_id = _escalated(lanes_db)
    with lanes_db.transaction() as session:
        acknowledged = acknowledge_escalation(session, escalation_id, actor_for(session, "adm"))
        assert acknowledged.acknowledged_by == "adm"
