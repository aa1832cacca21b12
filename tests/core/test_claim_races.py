"""Several people claiming (or transferring) one task at once: exactly one wins, the others get a Conflict,
one audit row is written and the task has one owner — on PostgreSQL, where the sessions truly overlap."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands import tasks as task_commands
from engine.errors import Conflict
from engine.org.access import Actor
from engine.org.config import UserSpec
from engine.org.service import load_organisation
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.tasks import WorkItem

from .helpers import DISPATCHER, deploy_two_step
from .helpers import test_org as two_step_org

CLAIMERS = 8
ROUNDS = 20


def _dispatcher(n: int) -> Actor:
    return replace(DISPATCHER, username=f"disp{n}")


def _deploy(db: Database) -> None:
    """The two-step process, whose first task any dispatcher may claim, and dispatchers disp0..disp7."""
    deploy_two_step(db)
    org = two_step_org()
    org.users = [UserSpec(f"disp{n}", f"调度员{n}", None, None, "zh", (("dispatcher", None),)) for n in range(CLAIMERS)]
    with db.transaction() as session:
        load_organisation(session, org)


def _open_task(db: Database) -> str:
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    with db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem.id).where(WorkItem.case_id == case.id)).one()


def _race(db: Database, attempts: list[Callable[[object], object]]) -> list[str]:
    """Run each attempt in its own thread and transaction, released together; 'ok', 'conflict' or the error."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = [""] * len(attempts)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with db.transaction() as session:
                attempts[index](session)
            outcomes[index] = "ok"
        except Conflict:
            outcomes[index] = "conflict"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test, named
            outcomes[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _audit(db: Database, item_id: str, *actions: str) -> list[AuditEvent]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.task_id == item_id,
                                                             AuditEvent.action.in_(actions))))


def _assignee(db: Database, item_id: str) -> str | None:
    with db.transaction(readonly=True) as session:
        return session.get(WorkItem, item_id).assignee


def _claim_by(n: int, item_id: str) -> Callable[[object], object]:
    return lambda session: task_commands.claim(session, _dispatcher(n), item_id)


def _transfer_by(n: int, item_id: str, to: str) -> Callable[[object], object]:
    return lambda session: task_commands.transfer(session, _dispatcher(n), item_id, to, "轮班")


def test_postgresql_eight_people_claiming_one_task_at_once_one_wins_the_rest_conflict(pg_db):
    _deploy(pg_db)
    for _round in range(ROUNDS):
        item_id = _open_task(pg_db)
        outcomes = _race(pg_db, [_claim_by(n, item_id) for n in range(CLAIMERS)])
        assert sorted(outcomes) == ["conflict"] * (CLAIMERS - 1) + ["ok"], outcomes
        [claimed] = _audit(pg_db, item_id, "task_claimed")
        winner = f"disp{outcomes.index('ok')}"
        assert claimed.actor == winner
        assert _assignee(pg_db, item_id) == winner


def test_postgresql_a_transfer_racing_a_claim_leaves_one_owner_and_one_audit_row(pg_db):
    _deploy(pg_db)
    for _round in range(ROUNDS):
        item_id = _open_task(pg_db)
        outcomes = _race(pg_db, [_transfer_by(1, item_id, "disp2"), _claim_by(3, item_id)])
        assert sorted(outcomes) == ["conflict", "ok"], outcomes
        [event] = _audit(pg_db, item_id, "task_claimed", "task_transferred")
        assert _assignee(pg_db, item_id) == ("disp2" if outcomes[0] == "ok" else "disp3")
        assert event.action == ("task_transferred" if outcomes[0] == "ok" else "task_claimed")


def test_postgresql_the_holder_transferring_one_task_to_two_colleagues_at_once_hands_it_to_one(pg_db):
    _deploy(pg_db)
    for _round in range(ROUNDS // 4):
        item_id = _open_task(pg_db)
        with pg_db.transaction() as session:
            task_commands.claim(session, _dispatcher(1), item_id)
        outcomes = _race(pg_db, [_transfer_by(1, item_id, "disp2"), _transfer_by(1, item_id, "disp3")])
        assert sorted(outcomes) == ["conflict", "ok"], outcomes
        assert _assignee(pg_db, item_id) == ("disp2" if outcomes[0] == "ok" else "disp3")
        assert len(_audit(pg_db, item_id, "task_transferred")) == 1


def test_claiming_a_task_a_colleague_already_holds_is_a_conflict_naming_them(db):
    _deploy(db)
    item_id = _open_task(db)
    with db.transaction() as session:
        task_commands.claim(session, _dispatcher(1), item_id)
    try:
        with db.transaction() as session:
            task_commands.claim(session, _dispatcher(2), item_id)
    except Conflict as exc:
        assert "调度员1" in exc.message  # named as colleagues know them, not by username
    else:
        raise AssertionError("a second claimer was not refused")
    with db.transaction() as session:
        task_commands.claim(session, _dispatcher(1), item_id)  # claiming one's own task again changes nothing
    assert [e.actor for e in _audit(db, item_id, "task_claimed")] == ["disp1"]
