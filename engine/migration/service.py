"""Plan and apply the move of stored cases between two versions of one process."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.service import record
from engine.cases.service import load_workflow_of, persist
from engine.definitions.versions import runtime_for
from engine.errors import CasegridError, Conflict
from engine.migration.alignment import check_id_map
from engine.migration.moving import move_workflow
from engine.migration.planning import Blocker, CasePlan, VersionAlignment, align_versions, plan_case
from engine.runtime.projection import ready_user_tasks, snapshot, work_item_for
from engine.runtime.serialization import dump_workflow, load_workflow
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus, WorkItemStatus

# What an open work item takes from its (new) element; its id, claim, dates and clock stay.
_ITEM_FIELDS = ("task_spec", "task_name", "form_key", "role", "department", "grid_cell", "candidate_users", "due_at")


def version_alignment(session: Session, source: ProcessVersion, target: ProcessVersion,
                      id_map: Mapping[str, str]) -> VersionAlignment:
    old, new = runtime_for(session, source.id).parsed, runtime_for(session, target.id).parsed
    check_id_map(id_map, old.spec, new.spec)
    return align_versions(old, new, id_map)


def running_case_ids(session: Session, version_id: int, after: int = 0, limit: int = 100) -> list[int]:
    return list(session.scalars(
        select(Case.id).where(Case.process_version_id == version_id, Case.status == CaseStatus.RUNNING,
                              Case.id > after).order_by(Case.id).limit(limit)))


def running_counts(session: Session, process_key: str) -> dict[int, int]:
    """Version number -> running cases on it, for the studio's migration page."""
    rows = session.execute(
        select(ProcessVersion.version, func.count(Case.id))
        .join(Case, Case.process_version_id == ProcessVersion.id)
        .where(ProcessVersion.process_key == process_key, Case.status == CaseStatus.RUNNING)
        .group_by(ProcessVersion.version))
    return {version: count for version, count in rows}


def plan_stored_case(session: Session, case: Case, versions: VersionAlignment) -> CasePlan:
    """The plan for one case, proven by moving a copy of its workflow and reading it back (nothing is written)."""
    old = runtime_for(session, case.process_version_id).parsed
    workflow = load_workflow(case.workflow_state, old)
    plan = plan_case(case.id, case.business_key, workflow, versions)
    if plan.movable:
        try:
            move_workflow(workflow, versions)
            load_workflow(dump_workflow(workflow), versions.new)
        except Exception as exc:  # noqa: BLE001 - any failure of the trial move keeps the case where it is
            plan.blockers.append(Blocker("", "", "migration.failed", f"the trial move failed: {exc}"))
    return plan


def _refresh_open_items(session: Session, case: Case, workflow: Any) -> list[str]:
    """Open items take their new element's name, form, lane and routing; a claim survives unless the lane
    or department changed (the holder may no longer be the one to do it). Returns the items released."""
    released: list[str] = []
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    items = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == WorkItemStatus.OPEN))
    for item in items:
        task = ready.get(item.id)
        if task is None:
            continue
        fresh = work_item_for(case, task)
        if item.assignee and (fresh.role != item.role or fresh.department != item.department):
            released.append(item.id)
            item.assignee = None
        for name in _ITEM_FIELDS:
            setattr(item, name, getattr(fresh, name))
    return released


def migrate_stored_case(session: Session, case: Case, source: ProcessVersion, target: ProcessVersion,
                        versions: VersionAlignment, id_map: Mapping[str, str], actor: str) -> CasePlan:
    """Move one running case in the caller's transaction; a case that cannot move raises Conflict untouched."""
    if case.status != CaseStatus.RUNNING or case.process_version_id != source.id:
        raise Conflict(f"case {case.business_key} is no longer a running case of version {source.version}",
                       key="migration.case_moved_on", params={"case": case.business_key, "version": source.version})
    _runtime, workflow = load_workflow_of(session, case)
    plan = plan_case(case.id, case.business_key, workflow, versions)
    if not plan.movable:
        raise Conflict(f"case {case.business_key} cannot be migrated: "
                       + "; ".join(b.text for b in plan.blockers),
                       key="migration.blocked", params={"case": case.business_key,
                                                        "reasons": "; ".join(b.text for b in plan.blockers)})
    before = snapshot(workflow)
    try:
        move_workflow(workflow, versions)
    except (ValueError, KeyError) as exc:
        raise Conflict(f"case {case.business_key} cannot be migrated: {exc}", key="migration.blocked",
                       params={"case": case.business_key, "reasons": str(exc)}) from exc
    workflow.script_engine = runtime_for(session, target.id).script_engine
    case.process_version_id = target.id
    released = _refresh_open_items(session, case, workflow)
    persist(session, case, workflow, actor, before)
    record(session, actor=actor, action="case_migrated", case_id=case.id,
           details={"process": source.process_key, "from": source.version, "to": target.version,
                    "map": dict(id_map), "moves": [asdict(move) for move in plan.moves], "released": released})
    return plan


def describe_failure(case_id: int, business_key: str, exc: CasegridError) -> CasePlan:
    return CasePlan(case_id, business_key, blockers=[Blocker("", "", exc.key or "migration.failed", exc.message)])
