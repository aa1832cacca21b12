"""Notifications: who should hear about a work item, and the inbox of unread messages."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.org.access import could_work_unclaimed
from engine.org.service import actor_for
from engine.store.base import utcnow
from engine.store.counting import Total, page_with_total
from engine.store.models.cases import Case
from engine.store.models.org import User, UserRole
from engine.store.models.sla import Notification
from engine.store.models.tasks import WorkItem
from engine.store.statuses import WorkItemStatus


def users_with_role(session: Session, role: str, department: str | None = None) -> list[str]:
    """Usernames holding a role; for a department head, only the heads of that department."""
    query = select(User.username).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == role, User.active.is_(True))
    if department is not None:
        query = query.where((User.department == department) | (UserRole.scope == department))
    return sorted(set(session.scalars(query)))


def recipients_for_item(session: Session, item: WorkItem) -> list[str]:
    """The assignee; else the named candidates; else those holding the lane's role in its department who
    could claim it by the access specification (a grid cell's task goes to that cell's grid workers, not
    to every grid worker of the district): a notice only goes to someone who can open and act on it."""
    if item.assignee:
        return [item.assignee]
    if item.candidate_users:
        return sorted(set(map(str, item.candidate_users)))
    if item.role:
        return [username for username in users_with_role(session, item.role, item.department)
                if could_work_unclaimed(session, actor_for(session, username), item.id)]
    return []


def notify(session: Session, recipients: list[str], kind: str, message: str, *, case_id: int | None = None,
           work_item_id: str | None = None, created_by: str = "system", message_key: str | None = None,
           params: dict[str, Any] | None = None) -> list[Notification]:
    """Tell each of `recipients` once. `message` is the notice in Chinese; `message_key` and `params` say the same
    as a key and its facts (codes, names as stored, times in ISO form), for a page that words it in its
    reader's language (web/dashboard/notices.py lists the keys)."""
    made = [Notification(recipient=r, kind=kind, message=message, case_id=case_id, work_item_id=work_item_id,
                         created_by=created_by, read=False, message_key=message_key,
                         message_params=dict(params) if message_key and params is not None else None)
            for r in dict.fromkeys(recipients)]
    session.add_all(made)
    return made


def notifications_for(session: Session, username: str, unread_only: bool = True, limit: int = 50) -> list[Notification]:
    """A user's notifications, newest first."""
    query = select(Notification).where(Notification.recipient == username)
    if unread_only:
        query = query.where(Notification.read.is_(False))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(max(1, min(limit, 200)))))


def notifications_page(session: Session, username: str, unread_only: bool, offset: int,
                       limit: int) -> tuple[list[Notification], Total]:
    """One page of a user's notifications, newest first, and how many there are (a page past the end is
    empty, its total says where the list ends)."""
    query = select(Notification).where(Notification.recipient == username)
    if unread_only:
        query = query.where(Notification.read.is_(False))
    return page_with_total(session, query, (Notification.id.desc(),), offset, limit)


def mark_read(session: Session, notification_id: int, username: str) -> Notification:
    """Mark one of the user's own notifications read; someone else's is reported as missing."""
    note = session.get(Notification, notification_id)
    if note is None or note.recipient != username:
        raise NotFound(f"notification {notification_id} does not exist")
    if not note.read:
        note.read, note.read_at = True, utcnow()
    return note


# Notices whose words are about a due time ("将于…到期"): worded when read, from the due time as it then
# stands, since by then the time may have passed, moved (an extension) or the step may be done.
DUE_NOTICE_KINDS = frozenset({"sla_at_risk"})


@dataclass(frozen=True)
class DueNotice:
    business_key: str
    task_name: str
    due_at: datetime | None
    still_open: bool
    completed_at: datetime | None
    # Where the step comes from, for a page that names it in another language (engine.definitions.names).
    process_key: str | None = None
    task_spec: str | None = None
    # The step's unit when other instances of the step went to other units (接警确认 of each agency), as
    # the stored words named it: 接警确认（消防救援大队）.
    department: str | None = None


def due_notices(session: Session, notifications: Iterable[Notification]) -> dict[int, DueNotice]:
    """notification id -> its step's due time and state now, for the due-time notices among them (one query)."""
    by_item: dict[str, list[int]] = {}
    for n in notifications:
        if n.kind in DUE_NOTICE_KINDS and n.work_item_id:
            by_item.setdefault(n.work_item_id, []).append(n.id)
    if not by_item:
        return {}
    rows = session.execute(select(WorkItem.id, Case.business_key, WorkItem.task_name, WorkItem.due_at,
                                  WorkItem.status, WorkItem.completed_at, WorkItem.process_key, WorkItem.task_spec,
                                  WorkItem.case_id, WorkItem.department)
                           .join(Case, Case.id == WorkItem.case_id).where(WorkItem.id.in_(list(by_item)))).all()
    units = _units_per_step(session, {(row.case_id, row.task_spec) for row in rows})
    found: dict[int, DueNotice] = {}
    for item_id, key, task_name, due_at, status, completed_at, process_key, task_spec, case_id, department in rows:
        shared = len(units.get((case_id, task_spec), set()) - {department}) > 0
        notice = DueNotice(key, task_name, due_at, status == WorkItemStatus.OPEN, completed_at, process_key,
                           task_spec, department if department and shared else None)
        found.update({notification_id: notice for notification_id in by_item[item_id]})
    return found


def _units_per_step(session: Session, steps: set[tuple[int, str]]) -> dict[tuple[int, str], set[str | None]]:
    """(case id, task spec) -> the units its instances went to (one query)."""
    if not steps:
        return {}
    rows = session.execute(select(WorkItem.case_id, WorkItem.task_spec, WorkItem.department)
                           .where(WorkItem.case_id.in_({case_id for case_id, _ in steps}),
                                  WorkItem.task_spec.in_({spec for _, spec in steps})).distinct())
    units: dict[tuple[int, str], set[str | None]] = {}
    for case_id, task_spec, department in rows:
        if (case_id, task_spec) in steps:
            units.setdefault((case_id, task_spec), set()).add(department)
    return units
