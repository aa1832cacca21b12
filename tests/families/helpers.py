"""Shared steps of the family tests: actors, opening work items, sending messages, firing timers, and the
emergency tests' incident (T0, GAS_LEAK, start_incident; the frozen `clock` fixture is in conftest.py)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.cases.service import get_case, start_case
from engine.commands.tasks import complete
from engine.commands.timers import fire_due
from engine.forms.filling import Filler
from engine.messages.service import send_message
from engine.org.access import Actor
from engine.store.database import Database
from engine.store.models.cases import Case, CaseLink
from engine.store.models.messages import MessageSubscription
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from tests.core.helpers import shipped_actor

DUTY = Actor("duty1", "zhihui", frozenset({("duty_officer", None)}))
WINDOW = Actor("win1", "zhengwu", frozenset({("window_staff", None)}))
HEAD = shipped_actor("head1", "zhengwu", "department_head")  # decides extensions (its `may` in the organisation)
AGENCY_SYSTEM = Actor("agency-gateway", None, frozenset())


# -- emergency linkage ----------------------------------------------------------------------
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tue 24 Nov 2026, 10:00 in Shanghai
GAS_LEAK = {"title": "燃气泄漏 东门路", "incident_type": "gas_leak", "casualties": 0, "people_affected": 30,
            "location_class": "residential", "location": "东门路 12 号", "grid_cell": "S03C01G01"}  # grade Ⅳ


def start_incident(db: Database, data: dict[str, Any] = GAS_LEAK, filler: Filler = Filler.PERSON) -> int:
    """An emergency_linkage case opened by the duty officer with `data` (a grade Ⅳ gas leak by default);
    `filler` MESSAGE: opened as a message start (which alone may fill 来源案件)."""
    with db.transaction() as session:
        return start_case(session, "emergency_linkage", dict(data), DUTY, filler=filler).id


def reviewer(department: str) -> Actor:
    return Actor(f"rev_{department}", department, frozenset({("handler", None)}))


def open_items(db: Database, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        items = list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")
                                     .order_by(WorkItem.created_at, WorkItem.id)))
        session.expunge_all()
        return items


def item_named(db: Database, case_id: int, task_spec: str) -> WorkItem:
    found = [i for i in open_items(db, case_id) if i.task_spec == task_spec]
    assert found, f"no open '{task_spec}' in {[i.task_spec for i in open_items(db, case_id)]}"
    return found[0]


def work(db: Database, case_id: int, task_spec: str, data: dict[str, Any], actor: Actor) -> None:
    item = item_named(db, case_id, task_spec)
    with db.transaction() as session:
        complete(session, actor, item.id, data)


def message(db: Database, case_id: int, name: str, payload: dict[str, Any], actor: Actor = AGENCY_SYSTEM) -> None:
    with db.transaction() as session:
        send_message(session, message_name=name, case_id=case_id, payload=payload, actor=actor)


def case_row(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = get_case(session, case_id)
        session.expunge(case)
        return case


def waiting_messages(db: Database, case_id: int) -> set[str]:
    with db.transaction(readonly=True) as session:
        return set(session.scalars(select(MessageSubscription.message_name)
                                   .where(MessageSubscription.case_id == case_id)))


def pending_timers(db: Database, case_id: int, kind: str = "bpmn") -> list[Timer]:
    with db.transaction(readonly=True) as session:
        rows = list(session.scalars(select(Timer).where(Timer.case_id == case_id, Timer.kind == kind,
                                                        Timer.status == "pending").order_by(Timer.due_at)))
        session.expunge_all()
        return rows


def fire(db: Database) -> int:
    return fire_due(db, "test-worker", datetime.now(UTC))


def links_of(db: Database, case_id: int) -> list[tuple[int, int, str]]:
    with db.transaction(readonly=True) as session:
        return [(link.from_case_id, link.to_case_id, link.kind) for link in session.scalars(
            select(CaseLink).where((CaseLink.from_case_id == case_id) | (CaseLink.to_case_id == case_id)))]
