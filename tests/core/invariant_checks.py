"""The invariants of issue 11, each a function over a read-only session that fails with the rows at fault.

- every running case waits on something visible (an open task, a pending timer, a message subscription, a
  running case it is linked to, or an open blocking incident);
- the projections equal the stored workflow: open work items = ready user tasks, pending BPMN timers =
  waiting timer events, message subscriptions = waiting message events;
- a task never has two assignees, and its assignee is what its audit trail says;
- a timer fires at most once, with exactly one timer_fired audit row;
- audit rows match transitions one to one (one task_created per item, one task_completed per completed
  item, one task_claimed per claim the test made, one case_started per case, one closing row per closed case);
- for an acting user, every case their list returns opens, every case that opens is in their list, and every
  task in their inbox can be worked.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.view import case_view
from engine.commands.authorise import workable_task
from engine.definitions.versions import runtime_for
from engine.errors import CasegridError
from engine.org.access import Actor, visible_case
from engine.runtime.projection import ready_user_tasks, waiting_timers
from engine.runtime.serialization import load_workflow
from engine.runtime.subscriptions import waiting_message_ids
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case, CaseLink
from engine.store.models.messages import MessageSubscription
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.tasks.queries import TaskFilter, list_tasks

try:  # incidents arrive with their own branch; a case waiting on an open one is not stalled
    from engine.store.models.incidents import Incident
except ImportError:  # pragma: no cover - before the incidents model exists
    Incident = None  # type: ignore[assignment,misc]

TASK_ACTIONS = ("task_created", "task_claimed", "task_unclaimed", "task_transferred", "task_completed",
                "task_withdrawn")


@dataclass(frozen=True)
class Projected:
    """What the stored workflow of one case version says should be projected."""

    ready: frozenset[str]
    timers: frozenset[str]
    messages: frozenset[str]


class WorkflowCache:
    """Deserialising every case after every step is the slow part; a (case, version) is read once. The
    comparison with the projection rows is redone every time: rows may change without the case row."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int], Projected] = {}

    def projected(self, session: Session, case: Case) -> Projected:
        key = (case.id, case.version)
        if key not in self._seen:
            runtime = runtime_for(session, case.process_version_id)
            state = session.scalar(select(Case.workflow_state).where(Case.id == case.id))
            workflow = load_workflow(state, runtime.parsed)
            self._seen[key] = Projected(frozenset(str(t.id) for t in ready_user_tasks(workflow)),
                                        frozenset(waiting_timers(workflow)) if not workflow.is_completed()
                                        else frozenset(),
                                        frozenset(waiting_message_ids(workflow)))
        return self._seen[key]


def _by_case(rows: list[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found


def _open_incident_cases(session: Session) -> set[int]:
    if Incident is None:
        return set()
    query = select(Incident.case_id).where(Incident.status == "open", Incident.case_id.is_not(None))
    if hasattr(Incident, "kind"):
        query = query.where(Incident.kind != "user_action")  # a refused user action blocks nothing
    return set(session.scalars(query))


def check_running_cases_wait(session: Session) -> None:
    running = list(session.scalars(select(Case).where(Case.status == "running")))
    items = {row.case_id for row in session.scalars(select(WorkItem).where(WorkItem.status == "open"))}
    timers = {row.case_id for row in session.scalars(select(Timer).where(Timer.status == "pending",
                                                                          Timer.kind == "bpmn"))}
    waiting = set(session.scalars(select(MessageSubscription.case_id)))
    live = {c.id for c in running}
    linked = {link.from_case_id for link in session.scalars(select(CaseLink)) if link.to_case_id in live}
    incidents = _open_incident_cases(session)
    stalled = [f"{c.business_key} ({c.process_key}, step {c.current_step!r}, data keys {sorted(c.data or {})[:8]})"
               for c in running if c.id not in items | timers | waiting | linked | incidents]
    assert not stalled, f"running cases waiting on nothing: {stalled}"


def check_projections_match_workflow(session: Session, cache: WorkflowCache) -> None:
    items = _by_case(list(session.scalars(select(WorkItem).where(WorkItem.status == "open"))))
    timers = _by_case(list(session.scalars(select(Timer).where(Timer.status == "pending", Timer.kind == "bpmn"))))
    subs = _by_case(list(session.scalars(select(MessageSubscription))))
    for case in session.scalars(select(Case).order_by(Case.id)):
        rows_items = {i.id for i in items.get(case.id, [])}
        rows_timers = {t.spiff_task_id for t in timers.get(case.id, [])}
        rows_subs = {s.spiff_task_id for s in subs.get(case.id, [])}
        if case.status != "running":
            assert not (rows_items or rows_timers or rows_subs), (
                f"{case.status} case {case.business_key} still has open items {rows_items}, "
                f"pending timers {rows_timers} or subscriptions {rows_subs}")
            continue
        expected = cache.projected(session, case)
        assert rows_items == expected.ready, (
            f"case {case.business_key}: open work items {sorted(rows_items)} but the workflow's ready user "
            f"tasks are {sorted(expected.ready)}")
        assert rows_timers == expected.timers, (
            f"case {case.business_key}: pending timers {sorted(rows_timers)} but the workflow waits on "
            f"{sorted(expected.timers)}")
        assert rows_subs == expected.messages, (
            f"case {case.business_key}: subscriptions {sorted(rows_subs)} but the workflow waits for messages "
            f"at {sorted(expected.messages)}")


def _task_trails(session: Session) -> dict[str, list[AuditEvent]]:
    trails: dict[str, list[AuditEvent]] = {}
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action.in_(TASK_ACTIONS))
                                 .order_by(AuditEvent.id)):
        trails.setdefault(event.task_id or "", []).append(event)
    return trails


def check_assignees_match_audit(session: Session) -> None:
    """Replay each task's claims, unclaims, transfers and completion: nobody takes a task someone else
    holds, and the replayed holder is the stored one."""
    trails = _task_trails(session)
    for item in session.scalars(select(WorkItem)):
        holder: str | None = None
        for event in trails.get(item.id, []):
            if event.action == "task_claimed":
                assert holder in (None, event.actor) or event.actor == "system", (
                    f"task {item.id} ({item.task_name}) claimed by {event.actor} while {holder} held it: "
                    "two assignees")
                holder = event.actor
            elif event.action in ("task_unclaimed", "task_transferred"):
                assert (event.before or {}).get("assignee") == holder, (
                    f"task {item.id}: {event.action} by {event.actor} says the holder was "
                    f"{(event.before or {}).get('assignee')}, the trail says {holder}")
                holder = (event.after or {}).get("assignee") if event.action == "task_transferred" else None
            elif event.action == "task_completed":
                holder = holder or event.actor
                assert item.completed_by == event.actor, (
                    f"task {item.id} completed by {item.completed_by}, audited as {event.actor}")
        assert item.assignee == holder, (
            f"task {item.id} ({item.task_name}, {item.status}): assignee {item.assignee}, audit trail says {holder}")


def check_timers_fire_once(session: Session) -> None:
    fired = Counter((t.case_id, t.spiff_task_id) for t in session.scalars(
        select(Timer).where(Timer.kind == "bpmn", Timer.status == "fired")))
    audited = Counter((e.case_id, e.task_id) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action == "timer_fired")))
    twice = {key: n for key, n in (fired + audited).items() if fired[key] > 1 or audited[key] > 1}
    assert not twice, f"timers fired more than once (case, spiff task): {twice}"
    assert fired == audited, f"fired timer rows {dict(fired)} and timer_fired audit rows {dict(audited)} differ"
    unstamped = [t.id for t in session.scalars(select(Timer).where(Timer.status == "fired"))
                 if t.fired_at is None or not t.fired_by]
    assert not unstamped, f"timers marked fired without when/by: {unstamped}"


def check_audit_one_to_one(session: Session, claims: dict[str, int], unclaims: dict[str, int],
                           transfers: dict[str, int]) -> None:
    per_item = Counter((e.task_id, e.action) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(TASK_ACTIONS))))
    for item in session.scalars(select(WorkItem)):
        def n(action: str, item_id: str = item.id) -> int:
            return per_item[(item_id, action)]

        where = f"task {item.id} ({item.task_name}, {item.status})"
        assert n("task_created") == 1, f"{where}: {n('task_created')} task_created rows"
        assert n("task_completed") == (1 if item.status == "completed" else 0), \
            f"{where}: {n('task_completed')} task_completed rows"
        assert n("task_withdrawn") == (1 if item.status == "withdrawn" else 0), \
            f"{where}: {n('task_withdrawn')} task_withdrawn rows"
        for action, made in (("task_claimed", claims), ("task_unclaimed", unclaims),
                             ("task_transferred", transfers)):
            assert n(action) == made.get(item.id, 0), (
                f"{where}: {n(action)} {action} rows for {made.get(item.id, 0)} successful commands")
    per_case = Counter((e.case_id, e.action) for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("case_started", "case_completed", "case_cancelled")))))
    for case in session.scalars(select(Case)):
        closing = {"completed": (1, 0), "cancelled": (0, 1)}.get(case.status, (0, 0))
        found = (per_case[(case.id, "case_completed")], per_case[(case.id, "case_cancelled")])
        assert per_case[(case.id, "case_started")] == 1, f"case {case.business_key}: case_started rows " \
                                                          f"{per_case[(case.id, 'case_started')]}"
        assert found == closing, (f"{case.status} case {case.business_key}: (case_completed, case_cancelled) rows "
                                  f"{found}, expected {closing}")


def check_lists_agree(session: Session, actor: Actor) -> None:
    listed, total = list_visible_cases(session, actor, CaseFilter(), limit=200)
    assert total == len(listed), "more cases than one page: raise the limit of the check"
    listed_ids = {c.id for c in listed}
    for case in listed:
        try:
            visible_case(session, actor, case.id)
            case_view(session, case.id, actor)
        except CasegridError as exc:
            raise AssertionError(f"{actor.username}'s case list returns {case.business_key}, whose page refuses: "
                                 f"{type(exc).__name__}: {exc}") from exc
    for case_id in session.scalars(select(Case.id)):
        try:
            visible_case(session, actor, case_id)
        except CasegridError:
            continue
        assert case_id in listed_ids, f"case {case_id} opens for {actor.username} but is not in their case list"
    for scope in ("mine", "candidate"):
        inbox, _total = list_tasks(session, actor, TaskFilter(scope=scope), limit=200)
        for item in inbox:
            try:
                workable_task(session, actor, item.id)
            except CasegridError as exc:
                raise AssertionError(f"{actor.username}'s inbox ({scope}) holds task {item.id} ({item.task_name}) "
                                     f"they cannot work: {type(exc).__name__}: {exc}") from exc


def check_all(session: Session, cache: WorkflowCache, claims: dict[str, int], unclaims: dict[str, int],
              transfers: dict[str, int], actors: list[Actor], assignees: bool = True) -> None:
    check_running_cases_wait(session)
    check_projections_match_workflow(session, cache)
    if assignees:
        check_assignees_match_audit(session)
    check_timers_fire_once(session)
    check_audit_one_to_one(session, claims, unclaims, transfers)
    for actor in actors:
        check_lists_agree(session, actor)
