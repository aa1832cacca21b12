"""A notification's words as its reader sees them now: a due time already passed reads 已于…超期."""
from __future__ import annotations

from datetime import UTC, datetime

from engine.sla.notify import DueNotice
from engine.store.models.sla import Notification
from web.i18n import gettext, local_time, unit_name


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def notification_text(notification: Notification, notice: DueNotice | None, now: datetime) -> str:
    """The stored message, unless the notice is about a due time: then worded from that time against now."""
    if notice is None:
        return notification.message
    task = f"{notice.task_name}（{unit_name(notice.department)}）" if notice.department else notice.task_name
    names = {"key": notice.business_key, "task": task}
    if not notice.still_open:
        if notice.completed_at is not None:
            return gettext("{key} {task}: done at {at}", at=local_time(notice.completed_at), **names)
        return gettext("{key} {task}: no longer open", **names)
    if notice.due_at is None:
        return notification.message
    if _aware(notice.due_at) <= now:
        return gettext("{key} {task}: overdue since {at}", at=local_time(notice.due_at), **names)
    return gettext("{key} {task}: due at {at}", at=local_time(notice.due_at), **names)
