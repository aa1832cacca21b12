"""Migrate running cases from one version of a process to another (迁移): plan (a dry run) and run.

Who: those who fix definitions, the roles the organisation lets `model_processes` (administrators and
analysts in the shipped one), refused with 403. Unknown process or version: 404; the same version twice or an id map
naming elements that do not exist: 422. ``migrate_case`` is the command for one case, one transaction;
``run_migration`` applies it case by case, each in its own transaction, so one case that cannot move
(reported, left untouched) never holds back or rolls back the others.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.cases.service import get_case
from engine.definitions.service import get_version
from engine.errors import CasegridError, Forbidden, InvalidInput
from engine.migration.planning import CasePlan, VersionAlignment
from engine.migration.service import (
    describe_failure,
    migrate_stored_case,
    plan_stored_case,
    running_case_ids,
    version_alignment,
)
from engine.org.abilities import Ability
from engine.org.access import Actor
from engine.store.database import Database
from engine.store.models.definitions import ProcessVersion

PLAN_PAGE = 100
RUN_BATCH = 50


@dataclass
class MigrationReport:
    process_key: str
    from_version: int
    to_version: int
    cases: list[CasePlan] = field(default_factory=list)
    # Plans page through the running cases: the last case id of this page, None when there are no more.
    next_after: int | None = None

    @property
    def movable(self) -> list[CasePlan]:
        return [plan for plan in self.cases if plan.movable]

    @property
    def blocked(self) -> list[CasePlan]:
        return [plan for plan in self.cases if not plan.movable]


def _authorise(actor: Actor) -> None:
    if not actor.may(Ability.MODEL_PROCESSES):
        raise Forbidden(f"{actor.username} may not migrate cases; those who may model processes do",
                        key="migration.forbidden")


def _versions(session: Session, process_key: str, from_version: int, to_version: int) -> tuple[ProcessVersion, ProcessVersion]:
    if from_version == to_version:
        raise InvalidInput("the versions to migrate from and to must differ", {"to": ["same as from"]},
                           key="migration.same_version")
    return get_version(session, process_key, from_version), get_version(session, process_key, to_version)


def plan_migration(session: Session, actor: Actor, process_key: str, from_version: int, to_version: int,
                   id_map: Mapping[str, str] | None = None, *, after: int = 0, limit: int = PLAN_PAGE) -> MigrationReport:
    """Where every running case of `from_version` would land in `to_version`; changes nothing."""
    _authorise(actor)
    source, target = _versions(session, process_key, from_version, to_version)
    versions = version_alignment(session, source, target, id_map or {})
    limit = max(1, min(limit, 1000))
    ids = running_case_ids(session, source.id, after, limit)
    report = MigrationReport(process_key, from_version, to_version,
                             next_after=ids[-1] if len(ids) == limit else None)
    for case_id in ids:
        report.cases.append(plan_stored_case(session, get_case(session, case_id, with_state=True), versions))
    return report


def migrate_case(session: Session, actor: Actor, process_key: str, case_id: int, from_version: int,
                 to_version: int, id_map: Mapping[str, str] | None = None, *,
                 aligned: VersionAlignment | None = None) -> CasePlan:
    """Move one running case (its work items, timers, clocks and subscriptions follow); audit records it.

    `aligned` is the two versions' alignment when the caller already has it (a run moves many cases of
    the same two versions: the specs are compared once, not once per case)."""
    _authorise(actor)
    source, target = _versions(session, process_key, from_version, to_version)
    versions = aligned or version_alignment(session, source, target, id_map or {})
    case = get_case(session, case_id, with_state=True)
    return migrate_stored_case(session, case, source, target, versions, id_map or {}, actor.username)


def run_migration(db: Database, actor: Actor, process_key: str, from_version: int, to_version: int,
                  id_map: Mapping[str, str] | None = None, *, batch: int = RUN_BATCH) -> MigrationReport:
    """Migrate every running case of `from_version`, one transaction per case; what cannot move is reported."""
    with db.transaction(readonly=True) as session:
        _authorise(actor)
        source, target = _versions(session, process_key, from_version, to_version)
        aligned = version_alignment(session, source, target, id_map or {})  # a bad map is refused here
        source_id = source.id
    report = MigrationReport(process_key, from_version, to_version)
    after = 0
    while True:
        with db.transaction(readonly=True) as session:
            ids = running_case_ids(session, source_id, after, batch)
        if not ids:
            return report
        for case_id in ids:
            report.cases.append(_migrate_one(db, actor, process_key, case_id, from_version, to_version, id_map,
                                             aligned))
        after = ids[-1]


def _migrate_one(db: Database, actor: Actor, process_key: str, case_id: int, from_version: int, to_version: int,
                 id_map: Mapping[str, str] | None, aligned: VersionAlignment) -> CasePlan:
    try:
        with db.transaction() as session:
            return migrate_case(session, actor, process_key, case_id, from_version, to_version, id_map,
                                aligned=aligned)
    except CasegridError as exc:
        with db.transaction(readonly=True) as session:
            business_key = get_case(session, case_id).business_key
        return describe_failure(case_id, business_key, exc)
