"""Running cases move to a corrected version: their open work, claims and timers follow; what cannot
move is reported and left untouched; a plan is a dry run that changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.commands.migrations import migrate_case, plan_migration, run_migration
from engine.commands.tasks import claim, complete
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.definitions import ProcessVersion
from engine.store.models.tasks import WorkItem

from .processes import CLOSE, PRECHECK, RENAMED_VERIFY, VERIFY, co_handling, deploy_version, start_co_handling


def _actor(db: Database, username: str):
    with db.transaction(readonly=True) as session:
        return actor_for(session, username)


def _open(db: Database, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")
                                    .order_by(WorkItem.task_spec, WorkItem.id)))


def _do(db: Database, item_id: str, data: dict | None = None, username: str = "clerk1") -> None:
    with db.transaction() as session:
        complete(session, _actor(db, username), item_id, data or {})


def _work_until(db: Database, case_id: int, element: str) -> None:
    """Complete open tasks (lead, the assist instances, then the tail) until `element` is open."""
    for _ in range(10):
        items = _open(db, case_id)
        if any(item.task_spec == element for item in items):
            return
        _do(db, items[0].id, {"report": "done"})
    raise AssertionError(f"{element} never opened")


def _case(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        return session.get(Case, case_id)


def _version_of(db: Database, case_id: int) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(ProcessVersion.version).join(Case, Case.process_version_id == ProcessVersion.id)
                              .where(Case.id == case_id))


def _migrate(db: Database, case_id: int, to: int, id_map: dict | None = None, username: str = "analyst1"):
    with db.transaction() as session:
        return migrate_case(session, _actor(db, username), "co_handling", case_id, _version_of(db, case_id), to,
                            id_map)


def _finish(db: Database, case_id: int) -> list[str]:
    """Work the case to its end; the elements done, in order."""
    done = []
    for _ in range(12):
        items = _open(db, case_id)
        if not items:
            return done
        done.append(items[0].task_spec)
        _do(db, items[0].id, {"report": "done"})
    raise AssertionError("the case did not end")


def test_a_renamed_task_moves_with_an_id_map_keeping_its_item_and_its_claim(db: Database) -> None:
    deploy_version(db, co_handling([VERIFY, CLOSE]))
    renamed = deploy_version(db, co_handling([RENAMED_VERIFY, CLOSE]))
    case_id = start_co_handling(db)
    _work_until(db, case_id, "verify")
    [verify] = _open(db, case_id)
    with db.transaction() as session:
        claim(session, _actor(db, "clerk1"), verify.id)

    plan = _migrate(db, case_id, renamed, {"verify": "verify_site"})

    assert [(m.element, m.to_element) for m in plan.moves] == [("verify", "verify_site")]
    [moved] = _open(db, case_id)
    assert (moved.id, moved.task_spec, moved.task_name, moved.assignee) == (verify.id, "verify_site", "现场核查", "clerk1")
    assert _version_of(db, case_id) == renamed
    assert _finish(db, case_id) == ["verify_site", "close"]
    assert _case(db, case_id).status == "completed"


def test_a_rename_guessed_from_the_diagram_alone_must_be_confirmed_with_the_id_map(db: Database) -> None:
    first = deploy_version(db, co_handling([VERIFY, CLOSE]))
    renamed = deploy_version(db, co_handling([RENAMED_VERIFY, ("archive", "归档")]))
    case_id = start_co_handling(db)
    _work_until(db, case_id, "verify")
    before = _case(db, case_id).version

    with pytest.raises(Conflict, match="confirm with the id map verify=verify_site"):
        _migrate(db, case_id, renamed)

    assert _version_of(db, case_id) == first and _case(db, case_id).version == before


def test_a_task_added_before_the_current_one_leaves_the_case_where_it_is(db: Database) -> None:
    deploy_version(db, co_handling([VERIFY, CLOSE]))
    with_precheck = deploy_version(db, co_handling([PRECHECK, VERIFY, CLOSE]))
    case_id = start_co_handling(db)
    _work_until(db, case_id, "verify")

    _migrate(db, case_id, with_precheck)

    assert [i.task_spec for i in _open(db, case_id)] == ["verify"]
    assert _finish(db, case_id) == ["verify", "close"]


def test_a_task_added_after_the_current_one_is_reached_from_parallel_branches_and_instances(db: Database) -> None:
    """The case waits in both branches: 主办处理 and one of two 协办 instances (SpiffArena refuses this)."""
    deploy_version(db, co_handling([VERIFY, CLOSE]))
    with_precheck = deploy_version(db, co_handling([PRECHECK, VERIFY, CLOSE]))
    case_id = start_co_handling(db)
    assist = [i for i in _open(db, case_id) if i.task_spec != "lead"]
    _do(db, assist[0].id, {"report": "协办一"})
    waiting = {i.id for i in _open(db, case_id)}

    plan = _migrate(db, case_id, with_precheck)

    assert {m.element for m in plan.moves} == {"lead", "assist"}
    assert {i.id for i in _open(db, case_id)} == waiting
    done = _finish(db, case_id)
    assert sorted(done[:2]) == ["assist [child]", "lead"] and done[2:] == ["precheck", "verify", "close"]
    case = _case(db, case_id)
    assert case.status == "completed" and case.data["reports"] == ["协办一", "done"]


def test_a_removed_task_with_an_open_item_is_refused_and_reported_by_the_plan(db: Database) -> None:
    first = deploy_version(db, co_handling([VERIFY, CLOSE]))
    without_verify = deploy_version(db, co_handling([CLOSE]))
    case_id = start_co_handling(db)
    _work_until(db, case_id, "verify")
    with db.transaction(readonly=True) as session:
        report = plan_migration(session, _actor(db, "analyst1"), "co_handling", first, without_verify)
    [plan] = report.cases
    assert not plan.movable and plan.blockers[0].key == "migration.removed_open_task"

    with pytest.raises(Conflict, match="open work item"):
        _migrate(db, case_id, without_verify)
    assert _version_of(db, case_id) == first


def test_a_changed_multi_instance_task_that_is_running_is_refused(db: Database) -> None:
    first = deploy_version(db, co_handling([VERIFY]))
    other_collection = deploy_version(db, co_handling([VERIFY], assist_items="agencies"))
    case_id = start_co_handling(db)
    with db.transaction(readonly=True) as session:
        report = plan_migration(session, _actor(db, "analyst1"), "co_handling", first, other_collection)
    assert [b.key for b in report.cases[0].blockers] == ["migration.changed_multi_instance"]
    assert _version_of(db, case_id) == first


def test_the_plan_is_a_dry_run_and_the_run_moves_what_it_can_and_reports_the_rest(db: Database) -> None:
    first = deploy_version(db, co_handling([VERIFY, CLOSE]))
    without_verify = deploy_version(db, co_handling([CLOSE]))
    at_lead = start_co_handling(db)
    at_verify = start_co_handling(db)
    _work_until(db, at_verify, "verify")
    states = {case_id: (_case(db, case_id).version, _version_of(db, case_id)) for case_id in (at_lead, at_verify)}

    with db.transaction(readonly=True) as session:
        plan = plan_migration(session, _actor(db, "analyst1"), "co_handling", first, without_verify)
    assert {p.case_id: p.movable for p in plan.cases} == {at_lead: True, at_verify: False}
    assert states == {case_id: (_case(db, case_id).version, _version_of(db, case_id)) for case_id in (at_lead, at_verify)}

    report = run_migration(db, _actor(db, "analyst1"), "co_handling", first, without_verify)

    assert [p.case_id for p in report.movable] == [at_lead] and [p.case_id for p in report.blocked] == [at_verify]
    assert _version_of(db, at_lead) == without_verify and _version_of(db, at_verify) == first
    with db.transaction(readonly=True) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "case_migrated")).all()
    assert [(a.case_id, a.details["from"], a.details["to"]) for a in audit] == [(at_lead, first, without_verify)]
    assert _finish(db, at_lead)[-1] == "close"


@pytest.mark.parametrize(("username", "error"), [("clerk1", Forbidden)])
def test_only_administrators_and_analysts_migrate(db: Database, username: str, error: type) -> None:
    first = deploy_version(db, co_handling([VERIFY]))
    second = deploy_version(db, co_handling([PRECHECK, VERIFY]))
    case_id = start_co_handling(db)
    with pytest.raises(error):
        _migrate(db, case_id, second, username=username)
    assert _version_of(db, case_id) == first


def test_bad_requests_are_refused_before_anything_moves(db: Database) -> None:
    first = deploy_version(db, co_handling([VERIFY]))
    second = deploy_version(db, co_handling([PRECHECK, VERIFY]))
    case_id = start_co_handling(db)
    actor = _actor(db, "admin1")
    with pytest.raises(InvalidInput) as same:
        run_migration(db, actor, "co_handling", first, first)
    assert same.value.key == "migration.same_version"
    with pytest.raises(InvalidInput) as typo:
        run_migration(db, actor, "co_handling", first, second, {"verfy": "verify"})
    assert typo.value.key == "migration.bad_map" and "verfy" in typo.value.message
    with pytest.raises(NotFound):
        run_migration(db, actor, "co_handling", first, 9)
    assert _version_of(db, case_id) == first
