"""Small helpers shared by the time-limit tests."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from engine.cases.service import start_case
from engine.commands.tasks import complete
from engine.org.access import system_actor
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer


def start_demo(db: Database, data: dict[str, Any] | None = None) -> int:
    with db.transaction() as session:
        return start_case(session, "sla_demo", data or {}, system_actor()).id


def open_item(db: Database, case_id: int) -> WorkItem:
    with db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()


def clock_of(db: Database, item_id: str) -> SlaClock:
    """The item's current clock (the newest: a staged limit leaves one row per stage)."""
    with db.transaction(readonly=True) as session:
        return session.scalars(select(SlaClock).where(SlaClock.work_item_id == item_id)
                               .order_by(SlaClock.id.desc()).limit(1)).one()


def sole_clock_of(db: Database, item_id: str) -> SlaClock:
    """The item's clock, which must be its only one (a limit without stages)."""
    with db.transaction(readonly=True) as session:
        return session.scalars(select(SlaClock).where(SlaClock.work_item_id == item_id)).one()


def item_of(db: Database, item_id: str) -> WorkItem:
    with db.transaction(readonly=True) as session:
        found = session.get(WorkItem, item_id)
        assert found is not None, f"no work item {item_id}"
        return found


def complete_item(db: Database, item_id: str, user: str = "h1", data: dict[str, Any] | None = None) -> None:
    with db.transaction() as session:
        complete(session, actor_for(session, user), item_id, data or {})


def actions(db: Database, case_id: int, action: str) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == action)) or 0


def pending_timers(db: Database, case_id: int) -> list[tuple[str, Any]]:
    with db.transaction(readonly=True) as session:
        return [(t.kind, t.due_at) for t in session.scalars(select(Timer).where(
            Timer.case_id == case_id, Timer.status == "pending").order_by(Timer.due_at))]
