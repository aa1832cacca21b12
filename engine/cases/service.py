"""Start, read, cancel cases. Each function is one unit of work inside the caller's transaction."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import InstanceState, Session, make_transient_to_detached, undefer
from sqlalchemy.orm.base import NO_VALUE
from sqlalchemy.orm.exc import StaleDataError

from engine.audit.service import batched, record, write_batch
from engine.cases.keys import next_business_key
from engine.cases.territory import with_located_cell, with_territory
from engine.config import settings
from engine.definitions.versions import VersionRuntime, runtime_for, version_runtime
from engine.errors import Conflict, NotFound
from engine.forms.dates import Moments
from engine.forms.filling import Filler
from engine.org.access import Actor
from engine.runtime import kept
from engine.runtime.errors import advancing
from engine.runtime.parsing import spiff_properties
from engine.runtime.projection import (
    Snapshot,
    insert_work_items,
    snapshot,
    sync_case,
    sync_timers,
    sync_work_items,
)
from engine.runtime.reactions import StepResult, dispatch
from engine.runtime.repair import merge_finished_instances
from engine.runtime.serialization import dump_workflow, load_workflow
from engine.runtime.stepping import run_until_wait
from engine.runtime.subscriptions import sync_subscriptions
from engine.runtime.walking import live_tasks, walk
from engine.store.models.cases import Case
from engine.store.models.incidents import Incident, IncidentStatus
from engine.store.prepared import PreparedStatement
from engine.store.remembered import for_transaction
from engine.store.statuses import CaseStatus


def start_form_key(runtime: VersionRuntime) -> str | None:
    for spec in runtime.parsed.spec.task_specs.values():
        if type(spec).__name__ == "StartEvent":
            form_key = spiff_properties(spec).get("formKey")
            if form_key:
                return form_key
    return None


def validate_with_form(runtime: VersionRuntime, form_key: str | None, data: dict[str, Any], lang: str,
                       case: Case | None = None, filler: Filler = Filler.PERSON) -> dict[str, Any]:
    """The form's cleaned data; its date bounds (ui:within) are judged against now and, for a task of
    `case`, when that case was opened (a start form's case opens now). `filler` is who submits: only a
    message or an event rule may give a field the form says it fills (ui:filledBy)."""
    form = runtime.form(form_key)
    if form is None:
        return dict(data)
    now = datetime.now(UTC)
    moments = Moments(now=now, case_opened=case.opened_at if case is not None else now)
    return form.validate_submission(data, lang=lang, tz=settings().tz, moments=moments, filler=filler)


def start_case(
    session: Session,
    process_key: str,
    data: dict[str, Any],
    actor: Actor,
    version: int | None = None,
    lang: str = "zh",
    filler: Filler = Filler.PERSON,
) -> Case:
    """Open a case with `data`, judged by the start form as submitted by `filler`: a person (the
    commands' path) unless a message start or an event rule says it is theirs (engine.forms.filling)."""
    runtime = version_runtime(session, process_key, version)
    located = with_located_cell(session, dict(data), lang)
    cleaned = validate_with_form(runtime, start_form_key(runtime), located, lang, filler=filler)
    if located.get("grid_cell") and "grid_cell" not in cleaned and "latitude" in cleaned:
        cleaned["grid_cell"] = located["grid_cell"]  # a form with a point but no cell list still gets its cell
    cleaned = with_territory(session, cleaned)
    # The workflow runs to its first wait state before the case key is taken and the case row written:
    # a start whose scripts fail (or run out of budget) takes no number and names none, and user code
    # runs before this transaction writes anything, so it holds no write lock while it runs.
    workflow = BpmnWorkflow(runtime.parsed.spec, runtime.parsed.subprocess_specs, script_engine=runtime.script_engine)
    start = next(task for task in walk(workflow, TaskState.READY) if task.state == TaskState.READY)
    start.data.update(cleaned)
    start.data.setdefault("opened_by", actor.username)
    with advancing(f"process '{process_key}' (start)"):
        run_until_wait(workflow)
    now = datetime.now(UTC)
    case = Case(
        business_key=next_business_key(session, settings().key_prefix, now.astimezone(settings().tz).year),
        process_version_id=runtime.version_id,
        process_key=process_key,
        family=runtime.family,
        title=str(cleaned.get("title") or runtime.name)[:300],
        opened_by=actor.username,
        opened_at=now,
        workflow_state="",
    )
    insert_case_row(session, case)
    give_case_key(workflow, cleaned.get("case_key") or case.business_key)
    # The start's audit row and those of the tasks it opens go in one statement (persist writes them).
    with batched(session):
        record(session, actor=actor.username, action="case_started", case_id=case.id,
               after=cleaned, details={"process": process_key, "version": runtime.version})
        persist(session, case, workflow, actor.username, Snapshot(), started=True)
    return case


# Built once, every column: building a statement costs more than running it.
_INSERT_CASE = insert(Case.__table__)  # type: ignore[arg-type]
_CASE_COLUMNS = tuple(column.key for column in Case.__table__.columns if column.key != "id")
# The columns' defaults, given on the object so that it holds what the row holds.
_CASE_DEFAULTS = {"title": "", "status": CaseStatus.RUNNING, "priority": 3, "open_incidents": 0, "version": 1}


def insert_case_row(session: Session, case: Case) -> None:
    """Write a new case row and make `case` the session's persistent object for it, with its id.

    One INSERT of every column, the object then attached as loaded, as insert_work_items does for a
    step's new items: the unit of work's flush of a new row (defaults, history, identity bookkeeping)
    cost more than the statement. Inside a savepoint the ORM writes it as before: a savepoint rolled
    back forgets only the objects it added itself."""
    if session.in_nested_transaction():
        session.add(case)
        session.flush()
        return
    for name, value in _CASE_DEFAULTS.items():
        if getattr(case, name) is None:
            setattr(case, name, value)
    if case.data is None:
        case.data = {}
    values = {name: getattr(case, name) for name in _CASE_COLUMNS}
    # Every column set on the object, None included: one left unset would be loaded from the row on its
    # first read, and that query would flush whatever the step has changed by then.
    inspect(case).dict.update(values)
    case.id = session.connection().execute(_INSERT_CASE, values).inserted_primary_key[0]
    make_transient_to_detached(case)
    session.add(case)


def give_case_key(workflow: BpmnWorkflow, key: str) -> None:
    """Every branch's data learns the key taken after the first run (scripts before it run without one)."""
    for task in walk(workflow):
        task.data.setdefault("case_key", key)
    if workflow.is_completed():
        workflow.data.setdefault("case_key", key)


# Built once: a step takes this lock before anything else, and building a statement costs more than running it.
_LOCK_CASE_ROW = select(Case.id).where(Case.id == bindparam("case_id")).with_for_update(key_share=True)
_LOCKED = "casegrid.locked_case_rows"


def lock_case_row(session: Session, case_id: int) -> None:
    """Hold the case row for this transaction (PostgreSQL; SQLite's writers are serialised anyway, and
    its dialect drops FOR UPDATE, so there it would be a read for nothing). Taken once per case and
    transaction: completing locks it before closing the item, and the step's write needs no second trip."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return
    # Remembered per (innermost) transaction: a savepoint rolled back releases the locks taken in it.
    transaction = session.get_nested_transaction() or session.get_transaction()
    held: set[int] = for_transaction(session, _LOCKED, transaction, set)
    if case_id in held:
        return
    session.execute(_LOCK_CASE_ROW, {"case_id": case_id})
    held.add(case_id)


# The columns a step may change (sync_case, the state; a cancel's status and closing time).
_STEP_COLUMNS = ("data", "title", "category", "grid_cell", "street", "department", "priority", "latitude",
                 "longitude", "geohash", "current_step", "status", "closed_at", "workflow_state")
_COMMITTED_BY_STEP = (*_STEP_COLUMNS, "version")
_CASES = Case.__table__


@lru_cache(maxsize=256)
def _case_row_update(columns: tuple[str, ...]) -> PreparedStatement:
    """The versioned UPDATE of these columns, built once per set of columns (a step changes few: the
    state and the data, now and then the current step or the status). Bind names differ from the column
    names, which an UPDATE's SET reserves for itself."""
    return PreparedStatement(
        update(_CASES).where(_CASES.c.id == bindparam("b_id"), _CASES.c.version == bindparam("b_version"))
        .values({**{name: bindparam(f"v_{name}") for name in columns}, "version": bindparam("b_next")}))


def _changed_step_columns(state: InstanceState[Case]) -> tuple[str, ...]:
    """The step's columns whose value differs from what the row holds.

    Only these are written: the database rewrites the entry of every index over a column the SET names,
    whether or not its value changed, and most of the case row's indexes (status, department, grid cell,
    street, category, closing time) cover columns a step rarely changes. The version check makes this
    exact: the row still holds what this transaction read, so an unchanged column needs no write."""
    held = state.committed_state
    current = state.dict
    return tuple(name for name in _STEP_COLUMNS
                 if name in held and held[name] != current.get(name, NO_VALUE))


def write_case_row(session: Session, case: Case) -> None:
    """Write the step's changed columns of the case row, only if the row still has the version this step
    read (StaleDataError otherwise, as the ORM's version check raises), and mark them written on the object.

    One prebuilt UPDATE instead of the unit of work's flush of the row, which cost several times the
    statement. Whatever else a caller changed on the case stays for the ORM's flush, which checks the new
    version. Inside a savepoint the ORM writes the row as before: a savepoint rolled back expires the
    objects it flushed, which it cannot know of a row written here."""
    state = inspect(case)
    if not state.persistent or session.in_nested_transaction() or "version" not in state.dict:
        return
    columns = _changed_step_columns(state)
    version = case.version
    written = _case_row_update(columns).execute(session, {
        **{f"v_{name}": getattr(case, name) for name in columns},
        "b_id": case.id, "b_version": version, "b_next": version + 1})
    if written.rowcount != 1:
        raise StaleDataError(f"case {case.id} is no longer at version {version}")
    # What the row now holds is the object's committed state. Marked per column (set_committed_value
    # one by one cost as much as the UPDATE), and when nothing else changed the object is clean, so the
    # step's flush has nothing to compare: the unit of work walking an unchanged case row cost as much
    # as writing it. SQLAlchemy's own calls for a row it has just loaded or flushed (InstanceState).
    state.dict["version"] = version + 1
    state._commit(state.dict, _COMMITTED_BY_STEP)
    if not state.committed_state:
        state._commit_all(state.dict, session.identity_map)


def persist(
    session: Session, case: Case, workflow: BpmnWorkflow, actor: str, before: Snapshot, handled: str | None = None,
    *, started: bool = False,
) -> StepResult:
    """Write the workflow and every projection of it, then run the reactions; a concurrent writer
    surfaces as Conflict.

    `before` is the snapshot taken when the workflow was loaded: only what changed is written.
    `handled` is the work item the caller closed itself (the completed task).
    """
    # Read first: a failed flush expires the row and the session may no longer load it.
    business_key = case.business_key
    # SpiffWorkflow walks the whole task tree for every query; the ready and live tasks are found in one walk.
    found = live_tasks(workflow)
    ready = found.ready_user
    try:
        # Every step takes the case row's lock before writing any of its rows (NO KEY UPDATE, as the
        # UPDATE itself takes): two steps of one case then queue instead of each holding a row the other
        # needs (a work item withdrawn by one, closed by the other) and deadlocking.
        lock_case_row(session, case.id)
        # No autoflush while the projections are written: a query here (the timers, the subscriptions)
        # would otherwise insert the new work items before the case row's version check, and a concurrent
        # writer of the same step would meet a duplicate key instead of a Conflict.
        with session.no_autoflush:
            created, withdrawn = sync_work_items(session, case, ready, actor, before, handled)
            sync_timers(session, case, workflow, before)
            sync_subscriptions(session, case, workflow, before.messages)
            # Messages no catch event inside this case took; taken out before the state is written.
            thrown = workflow.get_events()
            was_running = case.status == CaseStatus.RUNNING
            sync_case(case, workflow, ready, found.live)
            case.workflow_state = dump_workflow(workflow)
        write_batch(session)  # the audit rows held so far (a completion's, engine.audit.service.batched)
        kept.keep_after_commit(session, case.id, case.workflow_state, workflow)
        # The case row first, with its optimistic version check, then the new work items; then one flush for
        # the other projections, before the reactions' queries could autoflush a half-written case.
        write_case_row(session, case)
        insert_work_items(session, created)
        session.flush()
        ended = was_running and case.status in (CaseStatus.COMPLETED, CaseStatus.CANCELLED)
        result = StepResult(
            case=case, actor=actor, opened=tuple(created),
            closed=tuple(withdrawn) + ((handled,) if handled else ()),
            # Each item reads a limit from its own task's data (a multi-instance element), not only the merged data.
            task_data={str(t.id): t.data for t in ready}, thrown=tuple(thrown), started=started, ended=ended)
        dispatch(session, result)
        if ended:
            # Last in the trail, after what the step's reactions recorded (clocks met, rules fired).
            # A process may end a case as cancelled (data key outcome, docs/bpmn-conventions.md).
            record(session, actor=actor, action=f"case_{case.status}", case_id=case.id)
        session.flush()
    except StaleDataError as exc:
        raise Conflict(f"case {business_key} was changed by someone else; reload and try again",
                       key="case.changed", params={"case": business_key}) from exc
    return result


def get_case(session: Session, case_id: int, with_state: bool = False) -> Case:
    options = [undefer(Case.workflow_state)] if with_state else []
    case = session.get(Case, case_id, options=options)
    if case is None:
        raise NotFound(f"case {case_id} does not exist", key="case.not_found")
    return case


def get_case_by_key(session: Session, business_key: str) -> Case:
    from sqlalchemy import select

    case = session.scalars(select(Case).where(Case.business_key == business_key)).first()
    if case is None:
        raise NotFound(f"case {business_key} does not exist", key="case.not_found")
    return case


def load_workflow_of(session: Session, case: Case) -> tuple[VersionRuntime, BpmnWorkflow]:
    """The case's workflow to advance: the one its last committed step left, or read from the row."""
    runtime = runtime_for(session, case.process_version_id)
    workflow = kept.take(session, case.id, case.workflow_state) or load_workflow(case.workflow_state, runtime.parsed)
    workflow.script_engine = runtime.script_engine
    return runtime, workflow


def cancel_case(session: Session, case_id: int, actor: Actor, reason: str) -> Case:
    if not reason or not reason.strip():
        from engine.errors import InvalidInput

        raise InvalidInput("a reason is required to cancel a case", {"reason": ["required"]}, key="reason.required")
    case = get_case(session, case_id, with_state=True)
    if case.status != CaseStatus.RUNNING:
        raise Conflict(f"case {case.business_key} is {case.status}, not running", key="case.not_running",
                       params={"case": case.business_key, "case_status": case.status})
    _runtime, workflow = load_workflow_of(session, case)
    before = snapshot(workflow)
    workflow.cancel()
    # Set before persisting: a cancelled workflow reports itself completed, which is not what happened.
    case.status = CaseStatus.CANCELLED
    case.closed_at = datetime.now(UTC)
    _cancel_incidents(session, case, actor.username)
    persist(session, case, workflow, actor.username, before)
    record(session, actor=actor.username, action="case_cancelled", case_id=case.id, details={"reason": reason})
    return case


def _cancel_incidents(session: Session, case: Case, actor: str) -> None:
    """A cancelled case waits on nothing: its open incidents (engine.incidents) end with it."""
    session.execute(
        update(Incident).where(Incident.case_id == case.id, Incident.status == IncidentStatus.OPEN)
        .values(status=IncidentStatus.CANCELLED, resolved_at=case.closed_at, resolved_by=actor,
                updated_at=case.closed_at),
        execution_options={"synchronize_session": False})
    case.open_incidents = 0


def resume_case(session: Session, case: Case, actor: str) -> StepResult:
    """Run a running case's workflow on from where it stands (after a fix to the engine or its
    definition): merge instances an earlier defect left unmerged, then step to the next wait state."""
    _runtime, workflow = load_workflow_of(session, case)
    before = snapshot(workflow)
    with advancing(f"case {case.business_key}"):
        merge_finished_instances(workflow)
        run_until_wait(workflow)
    return persist(session, case, workflow, actor, before)
