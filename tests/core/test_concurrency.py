"""Two people complete the same task at once: exactly one wins, the other gets a conflict, nothing is lost."""
from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from engine.cases.service import start_case
from engine.commands import tasks as task_commands
from engine.errors import Conflict
from engine.org.access import system_actor
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from engine.tasks import service as task_service

from .helpers import DISPATCHER, count, deploy_two_step

RACERS = 2


def _prepare(db: Database) -> tuple[int, str]:
    deploy_two_step(db)
    with db.transaction() as session:
        case = start_case(session, "two_step", {}, DISPATCHER)
    with db.transaction(readonly=True) as session:
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)).one()
    STARTED_VERSION[case.id] = case.version
    return case.id, item.id


STARTED_VERSION: dict[int, int] = {}


def _complete(db: Database, item_id: str, amount: int) -> str:
    try:
        with db.transaction() as session:
            task_commands.complete(session, system_actor(), item_id,
                                   {"amount": amount, "responsible_department": "chengguan"})
        return "ok"
    except Conflict:
        return "conflict"


def _meet_before_writing(barrier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both racers have read the open task and advanced the workflow before either writes."""
    original: Callable[..., Any] = task_service.persist

    def persist_after_barrier(*args: Any, **kwargs: Any) -> Any:
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(task_service, "persist", persist_after_barrier)


def _assert_one_winner(db: Database, case_id: int, item_id: str, outcomes: list[str]) -> None:
    assert sorted(outcomes) == ["conflict"] * (RACERS - 1) + ["ok"]
    assert count(db, AuditEvent, AuditEvent.action == "task_completed") == 1
    with db.transaction(readonly=True) as session:
        assert session.get(WorkItem, item_id).status == "completed"
        case = session.get(Case, case_id)
        assert case.version == STARTED_VERSION[case_id] + 1  # one write, the winner's
        winner = session.scalars(select(AuditEvent).where(AuditEvent.action == "task_completed")).one()
        # The stored case data is the winner's, whole: the loser's write left no trace.
        assert case.data["amount"] == winner.after["amount"]
        open_items = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).all()
        assert [i.task_spec for i in open_items] == ["approve"]


def _race_threads(db: Database, item_id: str) -> list[str]:
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer(amount: int) -> None:
        result = _complete(db, item_id, amount)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=racer, args=(n + 1,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_sqlite_two_threads_completing_one_task_one_wins_one_conflicts(db):
    case_id, item_id = _prepare(db)
    _assert_one_winner(db, case_id, item_id, _race_threads(db, item_id))


def test_postgresql_two_threads_racing_past_the_read_one_wins_one_conflicts(pg_db, monkeypatch):
    case_id, item_id = _prepare(pg_db)
    _meet_before_writing(threading.Barrier(RACERS), monkeypatch)
    _assert_one_winner(pg_db, case_id, item_id, _race_threads(pg_db, item_id))


def _process_racer(url: str, item_id: str, amount: int, results: Any) -> None:
    database = Database(url)
    try:
        results.put(_complete(database, item_id, amount))
    finally:
        database.dispose()


def test_postgresql_two_processes_racing_past_the_read_one_wins_one_conflicts(pg_url, monkeypatch):
    db = Database(pg_url)
    case_id, item_id = _prepare(db)
    db.dispose()
    context = multiprocessing.get_context("fork")
    _meet_before_writing(context.Barrier(RACERS), monkeypatch)
    results = context.Queue()
    processes = [context.Process(target=_process_racer, args=(pg_url, item_id, n + 1, results)) for n in range(RACERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    outcomes = [results.get(timeout=5) for _ in processes]
    db = Database(pg_url)
    try:
        _assert_one_winner(db, case_id, item_id, outcomes)
    finally:
        db.dispose()


def _race_on(db: Database, item_id: str, username: str, data: dict[str, Any]) -> list[str]:
    from engine.errors import CasegridError
    from engine.org.service import actor_for

    outcomes: list[str] = []
    lock = threading.Lock()

    def racer() -> None:
        try:
            with db.transaction() as session:
                task_commands.complete(session, actor_for(session, username), item_id, data)
            result = "ok"
        except Conflict:
            result = "conflict"
        except CasegridError as exc:
            result = type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - the bug: a database error escaping as a 500
            result = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_postgresql_two_threads_completing_one_task_whose_step_moves_a_timer_one_wins_one_conflicts(pg_db, monkeypatch):
    """The step reads the timers back while it writes its projections; the new work item it opens must not
    reach the database before the case's version check, or the loser meets a duplicate key (a 500)."""
    from tests.core.invariant_world import EMERGENCY_ALARMS, deploy_world, open_items, run_command, start

    deploy_world(pg_db)
    from engine.org.service import actor_for

    with pg_db.transaction() as session:
        duty = actor_for(session, "duty1")
    case_id = run_command(pg_db, start("emergency_linkage", duty, dict(EMERGENCY_ALARMS[0])), check_refusal=False).result
    with pg_db.transaction(readonly=True) as session:
        item = next(i for i in open_items(session) if i.case_id == case_id and i.task_spec == "agency_acknowledge")
        item_id, department = item.id, item.department
    _meet_before_writing(threading.Barrier(RACERS), monkeypatch)
    outcomes = _race_on(pg_db, item_id, f"{department}_duty1", {"officer": "张警官"})
    assert sorted(outcomes) == ["conflict", "ok"]


def test_postgresql_a_claim_that_lands_while_a_colleague_completes_the_unclaimed_task_makes_one_of_them_conflict(
        pg_db, monkeypatch):
    """Completing an unclaimed task and a colleague's claim of it race: the claim commits while the completion
    is under way. The completion must then fail (the task is held by someone else now); before, it overwrote
    the claim, so the claimer was told they held a task someone else had completed."""
    from engine.org.service import actor_for
    from tests.core.invariant_world import deploy_world, open_items, run_command, start

    deploy_world(pg_db)
    with pg_db.transaction() as session:
        reporter = actor_for(session, "gw_s03c01g01")
    case_id = run_command(pg_db, start("sample_loop", reporter, {"title": "巡查读数", "target": 2}),
                          check_refusal=False).result
    with pg_db.transaction(readonly=True) as session:
        (item,) = [i for i in open_items(session) if i.case_id == case_id]
        item_id = item.id
    completing, claimed = threading.Event(), threading.Event()
    original: Callable[..., Any] = task_service.validate_with_form

    def validate_after_the_claim(*args: Any, **kwargs: Any) -> Any:
        # The completion has read the task (unclaimed) and holds no lock yet: the claim lands now.
        completing.set()
        claimed.wait(timeout=10)
        return original(*args, **kwargs)

    monkeypatch.setattr(task_service, "validate_with_form", validate_after_the_claim)
    outcome: list[str] = []

    def completer() -> None:
        try:
            with pg_db.transaction() as session:
                task_commands.complete(session, actor_for(session, "gw_s03c01g01"), item_id, {"reading": 3})
            outcome.append("ok")
        except Conflict:
            outcome.append("conflict")

    thread = threading.Thread(target=completer)
    thread.start()
    assert completing.wait(timeout=30)
    with pg_db.transaction() as session:
        task_commands.claim(session, actor_for(session, "gw_s03c01g02"), item_id)
    claimed.set()
    thread.join(timeout=60)
    assert outcome == ["conflict"]
    with pg_db.transaction(readonly=True) as session:
        item = session.get(WorkItem, item_id)
        assert (item.status, item.assignee, item.completed_by) == ("open", "gw_s03c01g02", None)
    assert count(pg_db, AuditEvent, AuditEvent.action == "task_completed") == 0
