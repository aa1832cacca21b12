"""Engine services of the time-limit layer. Each takes the session first, is one unit of work in
the caller's transaction (``with db.transaction() as session``), never commits, and changes
nothing when it raises."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.calendar.business import UNITS
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.org.service import display_names
from engine.sla.clocks import (
    ACTIVE,
    cancel_timers,
    case_due,
    now_utc,
    pause,
    policy_of,
    resume,
    same_deadline,
    schedule,
    start_clock,
    times_of,
)
from engine.sla.notify import notify, recipients_for_item, users_with_role
from engine.sla.process_owned import handled_by_process
from engine.sla.wording import amount_in_words
from engine.store.base import utcnow
from engine.store.models.cases import Case
from engine.store.models.sla import Escalation, SlaClock, SlaExtension, Urging
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, ClockStatus, EscalationStatus, ExtensionStatus, WorkItemStatus


def _require_text(value: str | None, field: str, what: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(f"a {field} is required to {what}", {field: ["required"]}, key="reason.required")
    return value.strip()


def _running_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist", key="case.not_found")
    if case.status != CaseStatus.RUNNING:
        raise Conflict(f"case {case.business_key} is {case.status}, not running", key="case.not_running",
                       params={"case": case.business_key, "case_status": case.status})
    return case


def case_clocks(session: Session, case_id: int, task: str | None, statuses: tuple[str, ...]) -> list[SlaClock]:
    """The case's clocks in `statuses`, oldest first; with `task`, only those of that BPMN element's work
    items (a staged limit's clock may belong to an earlier item of the same step)."""
    query = select(SlaClock).where(SlaClock.case_id == case_id, SlaClock.status.in_(statuses))
    if task is not None:
        query = query.join(WorkItem, WorkItem.id == SlaClock.work_item_id).where(WorkItem.task_spec == task)
    return list(session.scalars(query.order_by(SlaClock.id)))


def limit_extendable(session: Session, case: Case, clock: SlaClock) -> bool:
    """Whether more time may be asked on this clock: its policy says `extendable: true` (rules/sla/*.yaml).
    A clock whose policy is no longer deployed is not extended (the safe reading)."""
    policy = policy_of(session, case, clock)
    return policy is not None and policy.extendable


def _may_acknowledge(actor: Actor, escalation: Escalation) -> bool:
    """The holders of the role it was sent to, or those who may oversee_every_lane; either in a department
    they oversee (an escalation to a department head names its department; one to supervisors none)."""
    if actor.is_system:
        return True
    if not (actor.has_role(escalation.target_role) or actor.may(Ability.OVERSEE_EVERY_LANE)):
        return False
    if escalation.department is None or actor.oversees("all"):
        return True
    return actor.oversees("department") and actor.department == escalation.department


def pause_clock(session: Session, case_id: int, actor: Actor, reason: str, *, task: str | None = None) -> list[SlaClock]:
    """Stop the case's running clocks (or the one on BPMN element ``task``): waiting for the applicant,
    hearings, inspection (行政许可法 Art. 45). Paused time never counts. Conflict when none runs."""
    reason = _require_text(reason, "reason", "pause a clock")
    case = _running_case(session, case_id)
    clocks = case_clocks(session, case.id, task, (ClockStatus.RUNNING,))
    if not clocks:
        raise Conflict(f"case {case.business_key} has no running time limit to pause")
    for clock in clocks:
        pause(session, clock, session.get(WorkItem, clock.work_item_id), actor.username, reason)
    return clocks


def resume_clock(session: Session, case_id: int, actor: Actor, *, task: str | None = None) -> list[SlaClock]:
    """Restart paused clocks; the deadline moves by the working time the pause covered."""
    case = _running_case(session, case_id)
    clocks = case_clocks(session, case.id, task, (ClockStatus.PAUSED,))
    if not clocks:
        raise Conflict(f"case {case.business_key} has no paused time limit to resume")
    for clock in clocks:
        resume(session, clock, session.get(WorkItem, clock.work_item_id), actor.username)
    return clocks


def request_extension(session: Session, case_id: int, actor: Actor, amount: float, reason: str, *,
                      task: str | None = None, unit: str | None = None, from_process: bool = False) -> SlaExtension:
    """Ask for more time (延期) on the case's active limit (the one on ``task`` when several run).

    Refused (Conflict, nothing recorded) when the limit's policy is not ``extendable`` — the law lets only
    some limits be extended (行政许可法 Art. 42: the decision; not the acceptance, whose silence is consent).
    A request the process asks in its own step (``from_process``, property slaExtensionRequest) is not
    checked again: deploy refuses that property on a task whose limit is not extendable, and a case on a
    version deployed before `extendable` existed keeps the extension flow its diagram models.

    ``amount`` is in ``unit`` (default: the clock's unit; another unit is added after the limit, see
    clocks.times_of); it takes effect only when approved (decide_extension). One pending request per
    clock at a time."""
    reason = _require_text(reason, "reason", "request an extension")
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        raise InvalidInput("the extension must be a positive amount", {"amount": ["must be > 0"]},
                           key="extension.amount")
    case = _running_case(session, case_id)
    clocks = case_clocks(session, case.id, task, ACTIVE)
    if not clocks:
        raise Conflict(f"case {case.business_key} has no running time limit to extend", key="limit.none_running",
                       params={"case": case.business_key})
    if len(clocks) > 1 and task is None:
        raise InvalidInput("several time limits run on this case; name the task",
                           {"task": [", ".join(sorted({c.policy_key for c in clocks}))]})
    clock = clocks[0]
    if not from_process and not limit_extendable(session, case, clock):
        item = session.get(WorkItem, clock.work_item_id)
        name = item.task_name if item is not None else clock.policy_key
        raise Conflict(f"the time limit of '{name}' may not be extended (its policy {clock.policy_key} is not "
                       "extendable)", key="extension.not_extendable", params={"task": name})
    if unit is not None and unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}", {"unit": [f"one of {', '.join(UNITS)}"]})
    unit = unit or clock.unit
    pending = session.scalar(select(SlaExtension).where(SlaExtension.clock_id == clock.id,
                                                        SlaExtension.status == ExtensionStatus.PENDING))
    if pending is not None:
        raise Conflict(f"an extension request for case {case.business_key} is already waiting for a decision",
                       key="extension.already_waiting", params={"case": case.business_key})
    extension = SlaExtension(case_id=case.id, clock_id=clock.id, work_item_id=clock.work_item_id,
                             department=clock.department, amount=float(amount), unit=unit, reason=reason,
                             status=ExtensionStatus.PENDING, requested_by=actor.username, requested_at=utcnow())
    session.add(extension)
    session.flush()
    record(session, actor=actor.username, action="sla_extension_requested", case_id=case.id,
           task_id=clock.work_item_id, details={"extension_id": extension.id, "amount": amount, "unit": unit,
                                                "reason": reason})
    if not from_process:
        # Decided on the dashboard / side panel: the unit's heads (who oversee it), else the supervisors.
        # A request asked in a process step is decided in the process's own review step instead; those who
        # may work that step are told once it is open (engine.sla.process_steps.after_task_completes).
        deciders = users_with_role(session, "department_head", clock.department) or users_with_role(session, "supervisor")
        notify_extension_requested(session, case, extension, deciders)
    return extension


def notify_extension_requested(session: Session, case: Case, extension: SlaExtension, deciders: list[str]) -> None:
    """Tell `deciders` (those who can decide it) that `extension` was asked."""
    amount, unit, requester = extension.amount, extension.unit, extension.requested_by
    shown = int(amount) if float(amount).is_integer() else amount
    notify(session, deciders, "sla_extension_requested",
           f"{case.business_key}：{_person(session, requester)} 申请延期 {amount_in_words(shown, unit)}：{extension.reason}",
           case_id=case.id, work_item_id=extension.work_item_id, created_by=requester,
           message_key="extension.requested", params={"case": case.business_key, "requester_user": requester,
                                                      "amount": shown, "unit": unit, "reason": extension.reason})


def _person(session: Session, username: str) -> str:
    """A notification names people as their colleagues know them, not by their sign-in name."""
    return display_names(session, [username]).get(username, username)


def decide_extension(session: Session, extension_id: int, actor: Actor, approve: bool, note: str = "", *,
                     from_process: bool = False) -> SlaExtension:
    """Approve (the deadline moves by the amount) or reject a pending request; holders of a role that may
    decide_extensions decide (engine.org.abilities). The requester is notified either way.

    A request asked in a process task (property slaExtensionRequest) is decided by the process's review
    step only (``from_process``, engine.sla.process_steps); there the work item it was asked on has
    closed, and the approved time goes to the clocks that continue the same deadline."""
    require_ability(actor, Ability.DECIDE_EXTENSIONS)
    extension = session.get(SlaExtension, extension_id)
    if extension is None:
        raise NotFound(f"extension request {extension_id} does not exist", key="extension.not_found")
    if extension.status != ExtensionStatus.PENDING:
        raise Conflict(f"extension request {extension_id} was already {extension.status}",
                       key="extension.already_decided", params={"decision_status": extension.status})
    if not approve and not (note or "").strip():
        raise InvalidInput("a reason is required to reject an extension", {"note": ["required"]},
                           key="extension.reject_needs_note")
    if not from_process and handled_by_process(session, extension):
        raise Conflict(f"extension request {extension_id} is decided in the case's own review step "
                       "(延期审批); open that task to approve or reject it", key="extension.decided_in_process")
    clock = session.get(SlaClock, extension.clock_id)
    if clock is None or (clock.status not in ACTIVE and not from_process):
        raise Conflict("the time limit this request was for has ended", key="extension.limit_ended")
    if approve and not from_process:
        case = session.get(Case, extension.case_id)
        if case is None or not limit_extendable(session, case, clock):
            # A request asked before its limit was marked not extendable: it may be rejected, not approved.
            item = session.get(WorkItem, extension.work_item_id)
            name = item.task_name if item is not None else clock.policy_key
            raise Conflict(f"the time limit of '{name}' may not be extended; reject the request",
                           key="extension.not_extendable_reject", params={"task": name})
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = actor.username, utcnow(), note or None
    before = clock.due_at
    if approve:
        session.flush()  # the clocks' arithmetic reads the approved rows
        for running in same_deadline(session, clock):
            if running.status in ACTIVE:
                schedule(session, running, session.get(WorkItem, running.work_item_id), now_utc())
    # The deadline as it now stands (the clocks that continue it take it up when they start).
    after = times_of(session, clock).due_at if approve else before
    record(session, actor=actor.username, action=f"sla_extension_{extension.status}", case_id=extension.case_id,
           task_id=extension.work_item_id, before={"due_at": before}, after={"due_at": after},
           details={"extension_id": extension.id, "amount": extension.amount, "unit": extension.unit, "note": note})
    case = session.get(Case, extension.case_id)
    notify(session, [extension.requested_by], f"sla_extension_{extension.status}",
           (f"{case.business_key}：" if case is not None else "")
           + f"延期 {amount_in_words(extension.amount, extension.unit)}"
           + ("已批准" if extension.status == ExtensionStatus.APPROVED else "被驳回") + (f"：{note}" if note else ""),
           case_id=extension.case_id, work_item_id=extension.work_item_id, created_by=actor.username,
           message_key=f"extension.{extension.status}",
           params={"amount": extension.amount, "unit": extension.unit, **({"note": note} if note else {}),
                   **({"case": case.business_key} if case is not None else {})})
    return extension


def urge(session: Session, case_id: int, actor: Actor, message: str) -> Urging:
    """督办: press a running case. Audited, counted per department, and every open task's assignee
    (or its candidates) gets a notification. Who may urge which case is the command's to check
    (engine.commands.supervision.urge)."""
    message = _require_text(message, "message", "urge a case")
    case = _running_case(session, case_id)
    items = list(session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN)))
    first = items[0] if items else None
    urging = Urging(case_id=case.id, work_item_id=first.id if first else None,
                    department=(first.department if first else None) or case.department,
                    urged_by=actor.username, message=message, at=utcnow())
    session.add(urging)
    session.flush()
    for item in items:
        notify(session, recipients_for_item(session, item), "urging", f"督办 {case.business_key}: {message}",
               case_id=case.id, work_item_id=item.id, created_by=actor.username, message_key="case.urged",
               params={"case": case.business_key, "message": message})
    record(session, actor=actor.username, action="case_urged", case_id=case.id,
           task_id=first.id if first else None, task_name=first.task_name if first else None,
           details={"urging_id": urging.id, "message": message, "department": urging.department})
    return urging


def advance_stage(session: Session, case_id: int, actor: Actor, *, task: str | None = None,
                  work_item_id: str | None = None, note: str = "") -> SlaClock:
    """Mark the current stage of a staged limit done (私搭乱建: stop work achieved, penalty decided); the
    next stage's clock starts now, with its own limit, warning and breach.

    The clock is the one on ``work_item_id``, else on BPMN element ``task``, else the case's first
    staged one. Every open work item measuring the same deadline (the lead unit's feedback and each
    assisting unit) moves to the next stage together. Conflict, changing nothing, when no staged limit
    runs or the current stage is the last (completing the task ends it)."""
    case = _running_case(session, case_id)
    clocks = case_clocks(session, case.id, task, ACTIVE)
    if work_item_id is not None:
        clocks = [c for c in clocks if c.work_item_id == work_item_id]
    if not clocks:
        raise Conflict(f"case {case.business_key} has no running time limit", key="limit.none_running",
                       params={"case": case.business_key})
    staged = [(c, p) for c in clocks if (p := policy_of(session, case, c)) is not None and len(p.stages) > 1]
    if not staged:
        raise Conflict(f"the time limit on case {case.business_key} has no stages", key="stage.none",
                       params={"case": case.business_key})
    clock, policy = staged[0]
    if clock.stage + 1 >= len(policy.stages):
        raise Conflict(f"{clock.stage_name or clock.stage + 1} is the last stage of the time limit on case "
                       f"{case.business_key}; completing the task ends it", key="stage.last",
                       params={"stage": clock.stage_name or clock.stage + 1})
    now = now_utc()
    following = policy.stages[clock.stage + 1]
    result: SlaClock | None = None
    for current in [c for c in same_deadline(session, clock) if c.status in ACTIVE]:
        item = session.get(WorkItem, current.work_item_id)
        if item is None or item.status != WorkItemStatus.OPEN:
            continue
        cancel_timers(session, current)
        was_paused = current.status == ClockStatus.PAUSED
        current.status = ClockStatus.MET if current.due_at is None or now <= current.due_at else ClockStatus.MET_LATE
        current.closed_at = now
        record(session, actor=actor.username, action="sla_stage_done", case_id=case.id, task_id=item.id,
               task_name=item.task_name,
               details={"policy": current.policy_key, "stage": current.stage_name, "result": current.status,
                        "due_at": current.due_at, "next_stage": following.name, "note": note.strip() or None})
        started = start_clock(session, case, item, policy, actor.username, stage=current.stage + 1, started_at=now)
        if started is None:  # staged limits are fixed in the policy; only limit_from can be missing
            raise Conflict(f"the next stage of the time limit on case {case.business_key} has no limit")
        started.stage_history = [*(current.stage_history or []), {
            "stage": current.stage, "name": current.stage_name, "started_at": current.started_at.isoformat(),
            "due_at": current.due_at.isoformat() if current.due_at else None, "done_at": now.isoformat(),
            "result": current.status, "by": actor.username}]
        started.pause_flag_seen = current.pause_flag_seen
        if was_paused:
            pause(session, started, item, actor.username, "the stage before it was paused", since=now)
        if current is clock:
            result = started
    case_due(session, case)
    if result is None:
        raise Conflict(f"the task of this time limit on case {case.business_key} is not open")
    return result


def acknowledge_escalation(session: Session, escalation_id: int, actor: Actor) -> Escalation:
    """Whoever it was sent to (a department head of its department, or supervisors) takes an escalation off
    the open list; those who may oversee_every_lane may too (rules/organisation.yaml `may`)."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"escalation {escalation_id} does not exist")
    if not _may_acknowledge(actor, escalation):
        raise Forbidden(f"{actor.username} may not acknowledge an escalation to {escalation.target_role}",
                        key="escalation.may_not_acknowledge")
    if escalation.status != EscalationStatus.OPEN:
        raise Conflict(f"escalation {escalation_id} was already {escalation.status}")
    escalation.status, escalation.acknowledged_by, escalation.acknowledged_at = EscalationStatus.ACKNOWLEDGED, actor.username, utcnow()
    record(session, actor=actor.username, action="sla_escalation_acknowledged", case_id=escalation.case_id,
           task_id=escalation.work_item_id, details={"escalation_id": escalation.id})
    return escalation
