"""Drive social-event cases through the engine services as the demo users of rules/demo_users.yaml."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands.tasks import claim, complete
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem

REPORT = {
    "title": "湖贝路口暴露垃圾",
    "category": "0102",
    "grid_cell": "S03C01G01",
    "address": "东门街道湖贝路与东门中路交叉口",
    "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
    "report_channel": "hotline",
    "caller_name": "陈先生",
    "caller_phone": "13800138000",
}


def start(db: Database, username: str = "hotline1", **changes: Any) -> int:
    with db.transaction() as session:
        return start_case(session, "social_event", {**REPORT, **changes}, actor_for(session, username)).id


def open_items(db: Database, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        items = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")
                                .order_by(WorkItem.created_at, WorkItem.id)).all()
        session.expunge_all()
        return list(items)


def only_item(db: Database, case_id: int, task_spec: str) -> WorkItem:
    items = open_items(db, case_id)
    assert [i.task_spec for i in items] == [task_spec], [i.task_spec for i in items]
    return items[0]


def act(db: Database, item_id: str, username: str, data: dict[str, Any]) -> Case:
    """Claim and complete as `username`, in one transaction each, like the inbox does."""
    with db.transaction() as session:
        claim(session, actor_for(session, username), item_id)
    with db.transaction() as session:
        case = complete(session, actor_for(session, username), item_id, data).case
        session.expunge(case)
        return case


def case_row(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def actions(db: Database, case_id: int) -> list[str]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.id)))


def claimed_feedback(db: Database) -> WorkItem:
    """The hotline's REPORT taken to the feedback step (环卫 handles it), claimed by huanwei_h1."""
    case_id = start(db)
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    act(db, only_item(db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    item = only_item(db, case_id, "feedback")
    with db.transaction() as session:
        claim(session, actor_for(session, "huanwei_h1"), item.id)
    return item
