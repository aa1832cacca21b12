"""What the worker does when an SLA timer comes due: warn, breach (escalate, remind, complete), remind.

Each handler runs inside the timer's own transaction (engine.commands.timers.fire_timer); they are
registered at start-up (engine.reactions.register_all). Every
handler first checks the clock: a timer for a deadline that has since moved, a clock already
closed or paused, or a mark already set does nothing — so a timer fired twice acts once.

One breach tells each person once: a policy escalating to several roles (the department's head and the
supervisors) and notifying the step's holders reaches someone holding two of them with one notice. Parallel
instances of one step (each agency's 接警确认, each assisting unit) are separate work with their own clocks,
so each one's breach is its own notice; the notice names the instance's unit, or two agencies late in the
same minute would read as the same notice twice.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.commands.tasks import complete
from engine.limits.policy import BreachAction
from engine.org.access import system_actor
from engine.org.service import unit_names
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
        # A task completed concurrently closes the clock, another worker's timer for the same deadline marks
        # it breached: wait for them, and read the row as they left it, not as this session may hold it.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def _same_instant(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs((a - b).total_seconds()) < 1


def _step_words(session: Session, case: Case, item: WorkItem | None) -> tuple[str, dict[str, Any]]:
    """'<case key> <step>', with the instance's unit when other instances of the step went to other units
    ('EM-2026-0001 接警确认（消防救援大队）'); and the same as facts for a notice's params: the case key and
    the step (its stored name, process and BPMN id, and that unit's code when named)."""
    if item is None:
        return case.business_key, {"case": case.business_key}
    words = f"{case.business_key} {item.task_name}"
    step: dict[str, Any] = {"name": item.task_name, "process": item.process_key, "spec": item.task_spec}
    if item.department and session.scalar(select(exists().where(
            WorkItem.case_id == item.case_id, WorkItem.task_spec == item.task_spec, WorkItem.id != item.id,
            WorkItem.department.is_distinct_from(item.department)))):
        words += f"（{unit_names(session).get(item.department, (item.department,))[0]}）"
        step["unit"] = item.department
    return words, {"case": case.business_key, "step": step}


def _tell(session: Session, recipients: list[str], told: set[str], kind: str, message: str, case: Case,
          work_item_id: str | None, key: str, params: dict[str, Any]) -> None:
    """Notify those of `recipients` not yet told of this breach (`told` grows with them)."""
    fresh = [r for r in dict.fromkeys(recipients) if r not in told]
    told.update(fresh)
    if fresh:
        notify(session, fresh, kind, message, case_id=case.id, work_item_id=work_item_id, message_key=key, params=params)


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
        words, facts = _step_words(session, case, item)
        notify(session, recipients_for_item(session, item), "sla_at_risk",
               f"{words}：将于 {local_minute(clock.due_at)} 到期", case_id=case.id, work_item_id=item.id,
               message_key="sla.at_risk", params={**facts, "due_at": clock.due_at.isoformat()})
    record(session, actor="system", action="sla_at_risk", case_id=case.id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None,
           details={"policy": clock.policy_key, "due_at": clock.due_at, "worker": worker})


def _escalate(session: Session, case: Case, clock: SlaClock, item: WorkItem | None, to: str,
              told: set[str]) -> None:
    reason = "stage_breach" if clock.stage_name else "breach"
    escalation = Escalation(case_id=case.id, clock_id=clock.id, work_item_id=clock.work_item_id,
                            task_name=item.task_name if item else None, department=clock.department,
                            target_role=to, reason=reason, due_at=clock.due_at, status=EscalationStatus.OPEN)
    session.add(escalation)
    session.flush()
    department = clock.department if to == "department_head" else None
    words, facts = _step_words(session, case, item)
    _tell(session, users_with_role(session, to, department), told, "sla_escalation",
          f"{words}：已于 {local_minute(clock.due_at)} 超期", case, clock.work_item_id,
          "sla.escalated", {**facts, "due_at": clock.due_at.isoformat()})
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
    told: set[str] = set()
    for action in policy.on_breach if policy else ():
        if action.action == "escalate" and action.to:
            _escalate(session, case, clock, item, action.to, told)
        elif action.action == "notify" and item is not None:
            words, facts = _step_words(session, case, item)
            # The policy's own words, when it gives them, in Chinese and (message_en) English.
            said = {lang: text for lang, text in (("zh", action.message), ("en", action.message_en)) if text}
            _tell(session, recipients_for_item(session, item), told, "sla_overdue",
                  action.message or f"{words} 已超期", case, item.id, "sla.overdue",
                  {**facts, "said": said} if said else facts)
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
        words, facts = _step_words(session, case, item)
        notify(session, recipients_for_item(session, item), "sla_reminder", f"{words} 已超期（第 {n} 次提醒）",
               case_id=case.id, work_item_id=item.id, message_key="sla.reminder", params={**facts, "n": n})
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
