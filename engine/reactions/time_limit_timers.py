"""What the worker does when an SLA timer comes due: warn, breach (escalate, remind, complete), remind.

Each handler runs inside the timer's own transaction (engine.commands.timers.fire_timer); they are
registered at start-up (engine.reactions.register_all). Every
handler first checks the clock: a timer for a deadline that has since moved, a clock already
closed or paused, or a mark already set does nothing — so a timer fired twice acts once.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.commands.tasks import complete
from engine.limits.policy import BreachAction
from engine.org.access import system_actor
from engine.sla.calendar_store import calendar_for
from engine.sla.clocks import now_utc, policy_of, state_of
from engine.sla.notify import notify, recipients_for_item, users_with_role
from engine.sla.wording import local_minute
from engine.store.models.cases import Case
from engine.store.models.sla import Escalation, SlaClock
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import ClockStatus, EscalationStatus, WorkItemStatus
from engine.timers.service import register_handler


def _clock_for(session: Session, timer: Timer) -> SlaClock | None:
    clock_id = (timer.payload or {}).get("clock_id")
    if clock_id is None:
        return None
    query = select(SlaClock).where(SlaClock.id == clock_id)
    if session.get_bind().dialect.name == "postgresql":
        # A task completed concurrently closes the clock; wait for it rather than act on stale state.
        query = query.with_for_update()
    return session.scalars(query).first()


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs((a - b).total_seconds()) < 1


def on_warning(session: Session, timer: Timer, case: Case, worker: str) -> None:
    clock = _clock_for(session, timer)
    if clock is None or clock.status != ClockStatus.RUNNING or clock.warned_at or clock.breached_at:
        return
    if not _same_instant(clock.warn_at, timer.due_at):
        return  # the deadline moved since this timer was set; its replacement will act
    item = session.get(WorkItem, clock.work_item_id)
    clock.warned_at = now_utc()
    if item is not None:
        item.sla_state = state_of(clock)
        notify(session, recipients_for_item(session, item), "sla_at_risk",
               f"{case.business_key} {item.task_name}：将于 {local_minute(clock.due_at)} 到期",
               case_id=case.id, work_item_id=item.id)
    record(session, actor="system", action="sla_at_risk", case_id=case.id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None,
           details={"policy": clock.policy_key, "due_at": clock.due_at, "worker": worker})


def _escalate(session: Session, case: Case, clock: SlaClock, item: WorkItem | None, to: str) -> None:
    reason = "stage_breach" if clock.stage_name else "breach"
    escalation = Escalation(case_id=case.id, clock_id=clock.id, work_item_id=clock.work_item_id,
                            task_name=item.task_name if item else None, department=clock.department,
                            target_role=to, reason=reason, due_at=clock.due_at, status=EscalationStatus.OPEN)
    session.add(escalation)
    session.flush()
    department = clock.department if to == "department_head" else None
    notify(session, users_with_role(session, to, department), "sla_escalation",
           f"{case.business_key} {item.task_name if item else ''}：已于 {local_minute(clock.due_at)} 超期",
           case_id=case.id, work_item_id=clock.work_item_id)
    record(session, actor="system", action="sla_escalated", case_id=case.id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None,
           details={"to": to, "escalation_id": escalation.id, "department": clock.department,
                    "policy": clock.policy_key})


def _schedule_reminder(session: Session, clock: SlaClock, action: BreachAction, after: datetime, n: int) -> None:
    if action.times is not None and n > action.times:
        return
    calendar = calendar_for(session, clock.department)
    due = calendar.add_working(after, action.every or 1, action.unit or "working_hours").at  # type: ignore[arg-type]
    session.add(Timer(case_id=clock.case_id, kind="sla_remind", work_item_id=clock.work_item_id,
                      name=f"SLA reminder {n}: {clock.policy_key}"[:200], due_at=due,
                      payload={"clock_id": clock.id, "n": n}))


def _auto_complete(session: Session, case: Case, clock: SlaClock, item: WorkItem | None,
                   action: BreachAction) -> None:
    if item is None or item.status != WorkItemStatus.OPEN:
        return
    record(session, actor="system", action="sla_auto_completed", case_id=case.id, task_id=item.id,
           task_name=item.task_name, details={"policy": clock.policy_key, "data": action.data})
    complete(session, system_actor(), item.id, dict(action.data))


def on_breach(session: Session, timer: Timer, case: Case, worker: str) -> None:
    clock = _clock_for(session, timer)
    if clock is None or clock.status != ClockStatus.RUNNING or clock.breached_at:
        return
    if not _same_instant(clock.due_at, timer.due_at):
        return
    item = session.get(WorkItem, clock.work_item_id)
    now = now_utc()
    clock.breached_at = now
    if item is not None:
        item.sla_state = state_of(clock)
    record(session, actor="system", action="sla_overdue", case_id=case.id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None,
           details={"policy": clock.policy_key, "stage": clock.stage_name, "due_at": clock.due_at,
                    "worker": worker})
    policy = policy_of(session, case, clock)
    for action in policy.on_breach if policy else ():
        if action.action == "escalate" and action.to:
            _escalate(session, case, clock, item, action.to)
        elif action.action == "notify" and item is not None:
            notify(session, recipients_for_item(session, item), "sla_overdue",
                   action.message or f"{case.business_key} {item.task_name} 已超期",
                   case_id=case.id, work_item_id=item.id)
        elif action.action == "remind":
            _schedule_reminder(session, clock, action, now, 1)
    # Completing the task advances the case; do it last, after the breach is on record.
    for action in policy.on_breach if policy else ():
        if action.action == "auto_complete":
            _auto_complete(session, case, clock, item, action)
            break


def on_remind(session: Session, timer: Timer, case: Case, worker: str) -> None:
    clock = _clock_for(session, timer)
    n = int((timer.payload or {}).get("n", 1))
    if clock is None or clock.status != ClockStatus.RUNNING or clock.breached_at is None or clock.reminders_sent >= n:
        return
    item = session.get(WorkItem, clock.work_item_id)
    clock.reminders_sent = n
    if item is not None:
        notify(session, recipients_for_item(session, item), "sla_reminder",
               f"{case.business_key} {item.task_name} 已超期（第 {n} 次提醒）",
               case_id=case.id, work_item_id=item.id)
    record(session, actor="system", action="sla_reminded", case_id=case.id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None, details={"n": n, "worker": worker})
    policy = policy_of(session, case, clock)
    action = next((a for a in policy.on_breach if a.action == "remind"), None) if policy else None
    if action is not None:
        _schedule_reminder(session, clock, action, now_utc(), n + 1)


def register() -> None:
    register_handler("sla_warning", on_warning)
    register_handler("sla_breach", on_breach)
    register_handler("sla_remind", on_remind)
