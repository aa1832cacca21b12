"""Clock lifecycle: start a clock when a work item under a policy opens, close it when the item
closes, keep ``due_at``/``sla_state`` on the work item and the SLA timers in step with it.

``sync_clocks`` is called by ``engine.cases.service.persist`` after the projections are written,
inside the caller's transaction, so a case's clocks change together with its work items.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.config import settings
from engine.limits.policy import Policy, policies_from_files, select_policy
from engine.sla.calendar_store import calendar_for
from engine.sla.case_pauses import DEFAULT_PAUSE_REASON, pauses_since, track
from engine.sla.deadline import ClockTimes, compute
from engine.sla.process_owned import handled_by_process
from engine.store.models.cases import Case
from engine.store.models.definitions import Deployment, ProcessVersion
from engine.store.models.sla import SlaClock, SlaExtension
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.statuses import (
    ACTIVE_CLOCK_STATUSES,
    ClockStatus,
    ExtensionStatus,
    SlaState,
    TimerStatus,
    WorkItemStatus,
)

ACTIVE = ACTIVE_CLOCK_STATUSES
# A clock whose task completed by asking for more time through its form: not met, not late (close_clock).
EXTENSION_ASKED = ClockStatus.EXTENSION_ASKED
SLA_TIMER_KINDS = ("sla_warning", "sla_breach", "sla_remind")
PAUSE_FLAG = "sla_paused"  # BPMN data flag: true pauses the case's clocks, false resumes them
PAUSE_REASON_KEY = "sla_pause_reason"

_policy_cache: dict[tuple[str, int], list[Policy]] = {}
_policy_lock = threading.Lock()


def now_utc() -> datetime:
    return datetime.now(UTC)


def policies_for(session: Session, case: Case) -> list[Policy]:
    """The policies deployed with the case's process version (running cases keep theirs)."""
    key = (str(session.get_bind().url), case.process_version_id)
    with _policy_lock:
        if key in _policy_cache:
            return _policy_cache[key]
    files = session.scalar(
        select(Deployment.files).join(ProcessVersion, ProcessVersion.deployment_id == Deployment.id)
        .where(ProcessVersion.id == case.process_version_id)
    ) or {}
    policies, _problems = policies_from_files(files)  # validated at deploy time
    with _policy_lock:
        _policy_cache[key] = policies
    return policies


def clear_policy_cache() -> None:
    with _policy_lock:
        _policy_cache.clear()


def policy_of(session: Session, case: Case, clock: SlaClock) -> Policy | None:
    return next((p for p in policies_for(session, case) if p.key == clock.policy_key), None)


# -- pauses as stored ------------------------------------------------------------------------
def pauses_of(clock: SlaClock) -> list[tuple[datetime, datetime | None]]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b) if b else None) for a, b in clock.pauses or []]


# -- one deadline over several work items ----------------------------------------------------
def same_deadline(session: Session, clock: SlaClock) -> list[SlaClock]:
    """The clocks measuring the same deadline as `clock` (itself included), oldest first.

    Clocks of one case, policy and stage that started at the same instant are one deadline: with
    `clock_start: data:<key>` every work item of the policy's tasks (handle, handle again after an
    extension review, feedback, each assisting unit) counts from the dispatch moment, so an extension
    approved on one holds for those that follow. A new instant in the data starts a new deadline."""
    candidates = session.scalars(select(SlaClock).where(
        SlaClock.case_id == clock.case_id, SlaClock.policy_key == clock.policy_key,
        SlaClock.stage == clock.stage).order_by(SlaClock.id))
    found = [c for c in candidates if c is clock or abs((c.started_at - clock.started_at).total_seconds()) < 1]
    return found if any(c is clock for c in found) else [*found, clock]


def approved_extensions(session: Session, clock: SlaClock) -> list[SlaExtension]:
    ids = [c.id for c in same_deadline(session, clock) if c.id is not None]
    if not ids:
        return []
    return list(session.scalars(select(SlaExtension).where(
        SlaExtension.clock_id.in_(ids), SlaExtension.status == ExtensionStatus.APPROVED).order_by(SlaExtension.decided_at,
                                                                                    SlaExtension.id)))


def times_of(session: Session, clock: SlaClock) -> ClockTimes:
    """Due and warning instants: the limit plus approved extensions in the clock's unit, walked with
    the pauses; extensions granted in another unit (2 working hours on a 2-working-day limit) are
    added after that, in their own unit, so a working day never becomes a number of hours."""
    calendar = calendar_for(session, clock.department)
    extensions = approved_extensions(session, clock)
    clock.extension_amount = sum(e.amount for e in extensions if e.unit == clock.unit)
    times = compute(calendar, started_at=clock.started_at, amount=clock.limit_amount + clock.extension_amount,
                    unit=clock.unit, counting=clock.counting, pauses=pauses_of(clock),
                    warning_ratio=clock.warning_ratio)
    foreign = [e for e in extensions if e.unit != clock.unit]
    if times.due_at is None or not foreign:
        return times
    due = times.due_at
    for extension in foreign:
        due = calendar.add_working(due, extension.amount, extension.unit).at  # type: ignore[arg-type]
    return replace(times, due_at=due)


# -- state -----------------------------------------------------------------------------------
def state_of(clock: SlaClock) -> SlaState:
    if clock.status in (ClockStatus.MET, ClockStatus.MET_LATE, ClockStatus.EXTENSION_ASKED):
        return SlaState(clock.status)
    if clock.status == ClockStatus.PAUSED:
        return SlaState.PAUSED
    if clock.breached_at is not None:
        return SlaState.OVERDUE
    if clock.warned_at is not None:
        return SlaState.AT_RISK
    return SlaState.ON_TIME


def case_due(session: Session, case: Case) -> None:
    """The case's next deadline: the earliest due time of its running clocks.

    Kept as it was while every clock is paused (the closure figures of engine.dashboard.case_kpis read it
    on closed cases): pages read a pause from the case's pause ledger (engine.sla.case_marks), not from
    this date. The one place that sets it: the persist hook, the SLA services and a calendar reload."""
    dues = [c.due_at for c in session.scalars(
        select(SlaClock).where(SlaClock.case_id == case.id, SlaClock.status == ClockStatus.RUNNING)) if c.due_at]
    if dues:
        case.due_at = min(dues)


def cancel_timers(session: Session, clock: SlaClock) -> None:
    for timer in session.scalars(select(Timer).where(
            Timer.case_id == clock.case_id, Timer.status == TimerStatus.PENDING, Timer.work_item_id == clock.work_item_id,
            Timer.kind.in_(SLA_TIMER_KINDS))):
        timer.status = TimerStatus.CANCELLED


def _timer(clock: SlaClock, kind: str, due: datetime, label: str, **payload: Any) -> Timer:
    return Timer(case_id=clock.case_id, kind=kind, work_item_id=clock.work_item_id, name=label[:200],
                 due_at=due, payload={"clock_id": clock.id, **payload})


def schedule(session: Session, clock: SlaClock, item: WorkItem | None, now: datetime) -> None:
    """Recompute the clock's instants and replace its pending timers (after start, pause, resume,
    extension, a newly loaded calendar year). A moved deadline that lies ahead again clears the
    at-risk/overdue marks it had."""
    cancel_timers(session, clock)
    times = times_of(session, clock)
    if times.due_at is not None:
        clock.due_at, clock.warn_at = times.due_at, times.warn_at
    clock.provisional, clock.missing_years = times.provisional, sorted(times.missing_years)
    if clock.status != ClockStatus.RUNNING:
        if item is not None:
            item.sla_state = state_of(clock)
        return
    if clock.breached_at is not None and clock.due_at and clock.due_at > now:
        clock.breached_at = None
    if clock.warned_at is not None and clock.warn_at and clock.warn_at > now:
        clock.warned_at = None
    session.flush()  # the clock needs its id for the timers' payload
    name = item.task_name if item is not None else clock.policy_key
    if clock.warn_at is not None and clock.warned_at is None and clock.breached_at is None:
        session.add(_timer(clock, "sla_warning", clock.warn_at, f"SLA warning: {name}"))
    if clock.due_at is not None and clock.breached_at is None:
        session.add(_timer(clock, "sla_breach", clock.due_at, f"SLA breach: {name}"))
    if item is not None:
        item.due_at = clock.due_at
        item.sla_state = state_of(clock)


# -- start and close -------------------------------------------------------------------------
def _data_instant(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    # Naive instants in case data are local time (the sandbox's now() is aware anyway).
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=settings().tz)


def _clock_start(session: Session, case: Case, item: WorkItem, policy: Policy, data: Mapping[str, Any]) -> datetime:
    if policy.clock_start == "case_opened":
        return case.opened_at
    if policy.start_data_key is not None:
        instant = _data_instant(data, policy.start_data_key)
        if instant is not None:
            return instant
    if policy.clock_start.startswith("task:"):
        earlier = session.scalar(
            select(WorkItem.created_at).where(WorkItem.case_id == case.id,
                                              WorkItem.task_spec == policy.clock_start.removeprefix("task:"))
            .order_by(WorkItem.created_at).limit(1))
        if earlier is not None:
            return earlier
    return item.created_at or now_utc()


def start_clock(session: Session, case: Case, item: WorkItem, policy: Policy, actor: str,
                stage: int = 0, started_at: datetime | None = None,
                task_data: Mapping[str, Any] | None = None) -> SlaClock | None:
    """Start the item's clock; None (and an audit event) when a limit read from case data is missing.

    ``task_data`` is the item's own task data: it wins over the case's merged data, so each instance
    of a multi-instance task reads its own element (``review.review_days`` of its department)."""
    data = {**(case.data or {}), **(task_data or {})}
    history: list[Any] = []
    if stage == 0 and started_at is None and policy.resumes is not None:
        # Rework after a failed verification resumes the staged plan: the stage the handling had reached
        # is not done (the verification said so), earlier stages done stay done; the stage's whole limit
        # counts from this clock's own start.
        stage, history = resumed_stage(session, case.id, policy)
    elif stage == 0 and started_at is None and len(policy.stages) > 1:
        # A staged limit is the case's, not one work item's: a step that opens later (feedback after
        # handle, handle again after an extension review, each assisting unit) continues the stage the
        # deadline has reached, from the moment that stage started.
        reached = current_stage_clock(session, case.id, policy.key,
                                      _clock_start(session, case, item, policy, data))
        if reached is not None and reached.stage > 0:
            stage, started_at, history = reached.stage, reached.started_at, list(reached.stage_history or [])
    spec = policy.stage_for(stage, data)
    if spec is None:
        record(session, actor=actor, action="sla_clock_skipped", case_id=case.id, task_id=item.id,
               task_name=item.task_name, details={"policy": policy.key, "reason": "the case data holds no limit",
                                                  "limit_from": [policy.limit_from.value_key,
                                                                 policy.limit_from.unit_key
                                                                 or policy.limit_from.fixed_unit]
                                                  if policy.limit_from else None})
        return None
    clock = SlaClock(
        case_id=case.id, work_item_id=item.id, policy_key=policy.key, department=item.department,
        stage=stage, stage_name=spec.name, unit=spec.unit, counting=policy.counting,
        limit_amount=spec.limit, extension_amount=0.0, warning_ratio=policy.warning_at,
        started_at=started_at or _clock_start(session, case, item, policy, data), pauses=[], status=ClockStatus.RUNNING,
        provisional=False, missing_years=[], reminders_sent=0, stage_history=history,
    )
    # Pauses of the case after the clock's start do not count, though no clock ran while they lasted.
    clock.pauses = pauses_since(session, case.id, clock.started_at)[0]
    session.add(clock)
    _continue_deadline(session, clock)
    schedule(session, clock, item, now_utc())
    record(session, actor=actor, action="sla_clock_started", case_id=case.id, task_id=item.id,
           task_name=item.task_name,
           details={"policy": policy.key, "stage": spec.name, "limit": spec.limit, "unit": spec.unit,
                    "started_at": clock.started_at, "due_at": clock.due_at, "provisional": clock.provisional})
    return clock


def stage_origin(clock: SlaClock) -> datetime:
    """The instant the first stage of the clock's staged limit started (its own start for stage 0)."""
    history = clock.stage_history or []
    return datetime.fromisoformat(history[0]["started_at"]) if history else clock.started_at


def current_stage_clock(session: Session, case_id: int, policy_key: str, origin: datetime) -> SlaClock | None:
    """The newest clock of the staged limit that began at ``origin`` (the stage it has reached), if any.

    A new instant in the data (re-dispatch, arbitration) is a new deadline that starts at the first stage."""
    for clock in session.scalars(select(SlaClock).where(SlaClock.case_id == case_id,
                                                        SlaClock.policy_key == policy_key)
                                 .order_by(SlaClock.id.desc())):
        if abs((stage_origin(clock) - origin).total_seconds()) < 1:
            return clock
    return None


def resumed_stage(session: Session, case_id: int, policy: Policy) -> tuple[int, list[Any]]:
    """Where a policy that ``resumes`` a staged one starts: the stage of the case's newest clock under
    either policy (the stage the last handling or rework had reached, marked done or not), with the
    stages done before it; the first stage when the case has no such clock."""
    if policy.resumes is None:
        return 0, []
    newest = session.scalar(select(SlaClock).where(SlaClock.case_id == case_id,
                                                   SlaClock.policy_key.in_((policy.resumes, policy.key)))
                            .order_by(SlaClock.id.desc()).limit(1))
    if newest is None or not 0 <= newest.stage < len(policy.stages):
        return 0, []
    return newest.stage, list(newest.stage_history or [])


def _continue_deadline(session: Session, clock: SlaClock) -> None:
    """A clock continuing a deadline an earlier work item already ran keeps its at-risk/overdue marks,
    so a passed limit is not warned about and escalated once more for every step that follows."""
    earlier = [c for c in same_deadline(session, clock) if c is not clock]
    if earlier:
        clock.warned_at = max((c.warned_at for c in earlier if c.warned_at), default=None)
        clock.breached_at = max((c.breached_at for c in earlier if c.breached_at), default=None)


def _withdraw_pending_requests(session: Session, clock: SlaClock, actor: str) -> None:
    """A request asked beside the task (not through the process's own form, which its review step decides)
    cannot be approved once the limit it was for has ended: it is withdrawn, not left pending for ever
    with buttons that would only be refused."""
    pending = session.scalars(select(SlaExtension).where(SlaExtension.clock_id == clock.id,
                                                         SlaExtension.status == ExtensionStatus.PENDING))
    for extension in pending:
        if handled_by_process(session, extension):
            continue
        extension.status = ExtensionStatus.WITHDRAWN
        record(session, actor=actor, action="sla_extension_withdrawn", case_id=clock.case_id,
               task_id=extension.work_item_id, details={"extension_id": extension.id,
                                                        "reason": "the time limit ended"})


def _asked_for_more_time(session: Session, clock: SlaClock) -> bool:
    """Whether a request on this clock still waits for the process's review step (asked in the task's form)."""
    return session.scalar(select(SlaExtension.id).where(SlaExtension.clock_id == clock.id,
                                                        SlaExtension.status == ExtensionStatus.PENDING).limit(1)) is not None


def close_clock(session: Session, clock: SlaClock, item: WorkItem | None, actor: str) -> None:
    cancel_timers(session, clock)
    _withdraw_pending_requests(session, clock, actor)
    now = now_utc()
    clock.closed_at = now
    if item is None or item.status != WorkItemStatus.COMPLETED:
        clock.status = ClockStatus.CANCELLED
        return
    if _asked_for_more_time(session, clock):
        # The task ended by asking for more time (its process reviews the request): the work is not done,
        # so the limit is neither met nor missed here; the step after the review continues the deadline.
        clock.status = item.sla_state = EXTENSION_ASKED
        return
    done = item.completed_at or now
    clock.status = ClockStatus.MET if clock.due_at is None or done <= clock.due_at else ClockStatus.MET_LATE
    item.sla_state = SlaState(clock.status)
    record(session, actor=actor, action=f"sla_{clock.status}", case_id=clock.case_id, task_id=item.id,
           task_name=item.task_name, details={"policy": clock.policy_key, "due_at": clock.due_at,
                                              "completed_at": done})


# -- pause and resume ------------------------------------------------------------------------
def pause(session: Session, clock: SlaClock, item: WorkItem | None, actor: str, reason: str,
          since: datetime | None = None) -> bool:
    """Stop a running clock now (or ``since``: a clock starting inside a pause of the case)."""
    if clock.status != ClockStatus.RUNNING:
        return False
    now = now_utc()
    clock.pauses = [*(clock.pauses or []), [(since or now).isoformat(), None]]
    clock.status = ClockStatus.PAUSED
    schedule(session, clock, item, now)
    record(session, actor=actor, action="sla_clock_paused", case_id=clock.case_id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None, details={"policy": clock.policy_key, "reason": reason})
    return True


def resume(session: Session, clock: SlaClock, item: WorkItem | None, actor: str) -> bool:
    if clock.status != ClockStatus.PAUSED:
        return False
    now = now_utc()
    pauses = [list(p) for p in clock.pauses or []]
    pauses[-1][1] = now.isoformat()
    clock.pauses = pauses
    clock.status = ClockStatus.RUNNING
    schedule(session, clock, item, now)
    record(session, actor=actor, action="sla_clock_resumed", case_id=clock.case_id, task_id=clock.work_item_id,
           task_name=item.task_name if item else None,
           details={"policy": clock.policy_key, "due_at": clock.due_at})
    return True


# -- the persist hook ------------------------------------------------------------------------
def sync_clocks(session: Session, case: Case, actor: str,
                task_data: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Start, close and pause/resume the case's clocks to match its work items and data.

    ``task_data`` maps open work item ids to their task's own data (see start_clock)."""
    # A process without policies has no clocks: skip the queries on every step of such cases.
    policies = [p for p in policies_for(session, case) if p.process == case.process_key]
    if not policies:
        return
    active = list(session.scalars(select(SlaClock).where(SlaClock.case_id == case.id,
                                                         SlaClock.status.in_(ACTIVE))))
    clocked = {c.work_item_id for c in active}
    for clock in active:
        item = session.get(WorkItem, clock.work_item_id)
        if item is None or item.status != WorkItemStatus.OPEN:
            close_clock(session, clock, item, actor)
    flag = (case.data or {}).get(PAUSE_FLAG)
    reason = str((case.data or {}).get(PAUSE_REASON_KEY) or DEFAULT_PAUSE_REASON)
    track(session, case.id, flag, reason, now_utc())
    open_items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN))
    started: set[int] = set()
    for item in open_items:
        if item.id in clocked:
            continue
        policy = select_policy(policies, case.process_key, item.task_spec, case.category)
        clock = (start_clock(session, case, item, policy, actor, task_data=(task_data or {}).get(item.id))
                 if policy is not None else None)
        if clock is not None:
            active.append(clock)
            started.add(id(clock))
    if isinstance(flag, bool):
        for clock in active:
            if clock.status not in ACTIVE or clock.pause_flag_seen is flag:
                continue
            item = session.get(WorkItem, clock.work_item_id)
            if flag:
                # A clock opening inside the case's pause is paused from the pause's start, not from now.
                since = pauses_since(session, case.id, clock.started_at)[1] if id(clock) in started else None
                pause(session, clock, item, actor, reason, since)
            else:
                resume(session, clock, item, actor)
            clock.pause_flag_seen = flag
    case_due(session, case)
