"""Project a workflow's live state onto the rows queries read: work items, timers, the case row."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from engine import sandbox
from engine.audit.service import record
from engine.geo.geohash import encode as geohash_of
from engine.geo.points import point_of
from engine.runtime.parsing import spiff_properties
from engine.runtime.subscriptions import waiting_message_ids
from engine.runtime.walking import live_tasks
from engine.sandbox.task_data import to_task_data
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.store.models.timers import Timer
from engine.store.prepared import PreparedStatement
from engine.store.statuses import CaseStatus, SlaState, TimerStatus, WorkItemStatus

# Case columns filled from well-known data keys, so search and dashboards never read workflow state.
CASE_FIELDS = {"title": "title", "category": "category", "grid_cell": "grid_cell", "street": "street",
               "department": "responsible_department", "priority": "priority"}
# Between the open steps' names in cases.current_step (the 当前环节 the case list and page show).
STEP_SEPARATOR = "、"


def json_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The case's data as JSON; a value JSON cannot hold is a ScriptFailed naming its variable, never stored as text."""
    return {str(name): to_task_data(value, str(name)) for name, value in data.items()}


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return live_tasks(workflow).ready_user


def live_data(workflow: BpmnWorkflow, live: list[Task] | None = None) -> dict[str, Any]:
    """The case's data as the running branches see it (workflow data once it has ended); `live` are the
    workflow's ready, waiting and started tasks when the caller has them (engine.runtime.walking)."""
    if workflow.is_completed():
        return dict(workflow.data)
    merged: dict[str, Any] = {}
    if live is None:
        live = live_tasks(workflow).live
    # Parallel branches carry their own copy of the data; the branch that moved last is the newest
    # word (a report task opened an hour ago must not hide the grade a message just changed). Ties
    # (same clock reading) go to the task further down the tree, i.e. further along its path.
    for task in sorted(live, key=lambda t: (t.last_state_change, t.depth)):
        merged.update(task.data)
    if not merged and workflow.last_task is not None:
        merged.update(workflow.last_task.data)
    return merged


def _property_value(task: Task, props: dict[str, str], name: str) -> Any:
    expression = props.get(name)
    if not expression:
        return None
    try:
        return sandbox.evaluate(expression, task.data)
    except Exception:  # noqa: BLE001 - a routing expression that fails leaves the field to the lane
        return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _to_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def work_item_for(case: Case, task: Task) -> WorkItem:
    props = spiff_properties(task.task_spec)
    return WorkItem(
        id=str(task.id),
        case_id=case.id,
        process_key=case.process_key,
        task_spec=task.task_spec.name,
        task_name=task.task_spec.bpmn_name or task.task_spec.name,
        form_key=props.get("formKey"),
        role=getattr(task.task_spec, "lane", None),
        department=_property_value(task, props, "department"),
        grid_cell=_property_value(task, props, "gridCell"),
        candidate_users=_as_list(_property_value(task, props, "candidateUsers")),
        due_at=_to_datetime(_property_value(task, props, "dueAt")),
        status=WorkItemStatus.OPEN,
        case_opened_at=case.opened_at,
    )


@dataclass(frozen=True)
class Snapshot:
    """What the projections showed before a step; diffing against it spares querying them back."""

    ready: frozenset[str] = frozenset()
    timers: tuple[tuple[str, str, datetime], ...] = ()
    messages: frozenset[str] = frozenset()  # spiff ids of waiting message catch events

    @property
    def timer_map(self) -> dict[str, tuple[str, datetime]]:
        return {task_id: (name, due) for task_id, name, due in self.timers}


def snapshot(workflow: BpmnWorkflow) -> Snapshot:
    timers = tuple((task_id, name, due) for task_id, (name, due) in waiting_timers(workflow).items())
    return Snapshot(frozenset(str(t.id) for t in ready_user_tasks(workflow)), timers, waiting_message_ids(workflow))


def sync_work_items(
    session: Session, case: Case, ready_tasks: list[Task], actor: str, before: Snapshot, handled: str | None = None
) -> tuple[list[WorkItem], list[str]]:
    """Open an item per newly ready user task; withdraw items whose task went away (boundary event,
    cancel). `handled` is the item the caller has already closed itself. Returns the items opened (not
    yet in the session: insert_work_items writes them) and the ids of those withdrawn."""
    ready = {str(t.id): t for t in ready_tasks}
    gone = [task_id for task_id in before.ready if task_id not in ready and task_id != handled]
    withdrawn: list[str] = []
    if gone:
        now = datetime.now(UTC)
        for item in session.scalars(select(WorkItem).where(WorkItem.id.in_(gone),
                                                           WorkItem.status == WorkItemStatus.OPEN)):
            item.status = WorkItemStatus.WITHDRAWN
            item.completed_at = now
            withdrawn.append(item.id)
            record(session, actor=actor, action="task_withdrawn", case_id=case.id, task_id=item.id,
                   task_name=item.task_name)
    created: list[WorkItem] = []
    for task_id, task in ready.items():
        if task_id in before.ready:
            continue
        item = work_item_for(case, task)
        created.append(item)  # written by the caller (engine.cases.service.persist), after the case row
        record(session, actor=actor, action="task_created", case_id=case.id, task_id=item.id,
               task_name=item.task_name,
               details={"role": item.role, "department": item.department, "grid_cell": item.grid_cell,
                        "candidate_users": item.candidate_users, "due_at": item.due_at})
    return created, withdrawn


_ITEM_COLUMNS = tuple(column.key for column in WorkItem.__table__.columns)
# Prepared once (engine.store.prepared), an executemany of every column.
_INSERT_ITEMS = PreparedStatement(insert(WorkItem.__table__).values({key: bindparam(key) for key in _ITEM_COLUMNS}))


def insert_work_items(session: Session, items: list[WorkItem]) -> None:
    """Write the items sync_work_items opened and make them the session's persistent rows.

    One INSERT of every column, the ORM objects then attached as loaded: the unit of work's flush of a
    new row (history, defaults fetched back, identity bookkeeping) cost several times the statement.
    Inside a savepoint the ORM writes them as before: a savepoint rolled back forgets the objects it
    added, which it can only do for objects it added itself."""
    if not items:
        return
    if session.in_nested_transaction():
        session.add_all(items)
        return
    now = datetime.now(UTC)
    for item in items:  # the columns' defaults, given here so that the object holds what the row holds
        item.assignee, item.completed_at, item.completed_by = None, None, None
        item.sla_state = SlaState.NONE
        item.created_at = now
    _INSERT_ITEMS.executemany(session, [{key: getattr(item, key) for key in _ITEM_COLUMNS} for item in items])
    for item in items:
        make_transient_to_detached(item)
        session.add(item)


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, tuple[str, datetime]]:
    """spiff task id -> (timer name, due time) for every timer event the workflow is waiting on."""
    found: dict[str, tuple[str, datetime]] = {}
    for task in workflow.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        # An event-based gateway waits with a MultipleEventDefinition holding its branches' events;
        # a timer branch there must get a row too, or no worker would ever wake the gateway.
        members = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
        dues = []
        for member in members:
            if not isinstance(member, TimerEventDefinition):
                continue
            value = member.details(task).value
            if isinstance(value, dict):
                value = value.get("next")
            due = _to_datetime(value)
            if due is not None:
                dues.append(due)
        if dues:
            found[str(task.id)] = (task.task_spec.bpmn_name or task.task_spec.name, min(dues))
    return found


def sync_timers(session: Session, case: Case, workflow: BpmnWorkflow, before: Snapshot) -> None:
    waiting = waiting_timers(workflow) if not workflow.is_completed() else {}
    previous = before.timer_map
    changed = [task_id for task_id in previous if task_id not in waiting or waiting[task_id][1] != previous[task_id][1]]
    if changed:
        pending = session.scalars(select(Timer).where(
            Timer.case_id == case.id, Timer.kind == "bpmn", Timer.status == TimerStatus.PENDING, Timer.spiff_task_id.in_(changed)))
        for timer in pending:
            if timer.spiff_task_id in waiting:
                timer.due_at = waiting[timer.spiff_task_id][1]
            else:
                timer.status = TimerStatus.CANCELLED
    for task_id, (name, due) in waiting.items():
        if task_id not in previous:
            session.add(Timer(case_id=case.id, kind="bpmn", spiff_task_id=task_id, name=name, due_at=due))


def sync_case(case: Case, workflow: BpmnWorkflow, ready_tasks: list[Task], live: list[Task] | None = None) -> dict[str, Any]:
    data = json_clean(live_data(workflow, live))
    case.data = data
    for column, key in CASE_FIELDS.items():
        if data.get(key) not in (None, ""):
            value = data[key]
            setattr(case, column, int(value) if column == "priority" else str(value))
    point = point_of(data)
    if point is not None:
        case.latitude, case.longitude = point
        case.geohash = geohash_of(*point)
    # Each step once (two agencies each confirming the alarm are one 接警确认), in Chinese enumeration (、).
    steps = list(dict.fromkeys(t.task_spec.bpmn_name or t.task_spec.name for t in ready_tasks))
    case.current_step = STEP_SEPARATOR.join(steps)[:200] if steps else None
    if workflow.is_completed() and case.status == CaseStatus.RUNNING:
        # A process that ends with outcome "cancelled" (e.g. a report registered as invalid) did not complete.
        case.status = CaseStatus.CANCELLED if data.get("outcome") == "cancelled" else CaseStatus.COMPLETED
        case.closed_at = datetime.now(UTC)
    return data
