"""Invariants of the case core under random use (issue 11, point 7).

A Hypothesis state machine drives random sequences of commands — start every shipped process, claim,
unclaim, transfer, complete (valid and invalid answers), return, cancel, deliver messages, move the clock
and fire due timers — by random demo users, on SQLite and on PostgreSQL, and after every step checks the
invariants of tests/core/invariant_checks.py; a refused command (any CasegridError) must leave every row as
it was. A concurrency variant runs several threads, each its own transaction per command, on the same few
cases on PostgreSQL: only CasegridErrors may come out, and the same invariants hold at the end.
"""
from __future__ import annotations

import random
import shutil
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.errors import CasegridError
from engine.org.access import Actor
from engine.runtime import kept
from engine.store.database import Database

from . import invariant_world as world
from .invariant_checks import WorkflowCache, check_all
from .invariant_driver import CLOCK_STEPS, TASK_ACTIONS, Driver

NewDatabase = Callable[[], tuple[Database, Callable[[], None]]]
RANDOMS = st.randoms(use_true_random=False)
# Few cases at a time, so a run's steps take them deep into their processes rather than opening more.
MAX_RUNNING = 5


# -- databases: one deployed template, a fresh copy per example ------------------------------------------------
@pytest.fixture(scope="module")
def sqlite_world(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Actor]]:
    path = tmp_path_factory.mktemp("invariants") / "world.sqlite3"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    try:
        world.deploy_world(db)
        actors = world.load_actors(db)
    finally:
        db.dispose()
    return path, actors


def sqlite_copies(template: Path) -> NewDatabase:
    def new() -> tuple[Database, Callable[[], None]]:
        path = template.with_name(f"example-{uuid.uuid4().hex[:8]}.sqlite3")
        shutil.copy(template, path)
        db = Database(f"sqlite:///{path}")

        def drop() -> None:
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

        return db, drop

    return new


@pytest.fixture
def pg_world(pg_url: str) -> Iterator[tuple[NewDatabase, dict[str, Actor]]]:
    """The migrated test database, deployed, serves as a PostgreSQL TEMPLATE: each example gets a copy."""
    db = Database(pg_url)
    try:
        world.deploy_world(db)
        actors = world.load_actors(db)
    finally:
        db.dispose()
    url = make_url(pg_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new() -> tuple[Database, Callable[[], None]]:
        name = f"{url.database}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
        copy = Database(url.set(database=name).render_as_string(hide_password=False))

        def drop() -> None:
            copy.dispose()
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        return copy, drop

    try:
        yield new, actors
    finally:
        admin.dispose()


# -- the state machine --------------------------------------------------------------------------------------
def case_core_machine(new_db: NewDatabase, actors: dict[str, Actor], lists: bool = True) -> type[RuleBasedStateMachine]:
    """`lists`: hold each acting user's case list and inbox to the object checks too."""
    class CaseCore(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            kept.clear()
            self.db, self._drop = new_db()
            # A still clock, moved a second per command: runs repeat exactly (same deadlines, same order).
            self._travel = time_machine.travel(world.T0, tick=False)
            self.clock = self._travel.start()
            self.driver = Driver(self.db, actors, clock=self.clock)
            self.cache = WorkflowCache()
            self.actor: Actor | None = None
            self.acted: dict[str, Actor] = {}

        def _acted(self, actor: Actor | None) -> None:
            self.actor = actor
            if actor is not None:
                self.acted[actor.username] = actor

        @precondition(lambda self: self.driver.running_count() < MAX_RUNNING)
        @rule(rng=RANDOMS, process=st.sampled_from(world.START_WEIGHTS), roll=st.integers(0, 9))
        def start_case(self, rng: random.Random, process: str, roll: int) -> None:
            self._acted(self.driver.start(rng, process, valid=roll > 0))

        # Work is most of what people do: three rules so a run gets deep into the processes.
        @rule(rng=RANDOMS, action=st.sampled_from(TASK_ACTIONS))
        def work_a_task(self, rng: random.Random, action: str) -> None:
            self._acted(self.driver.act_on_task(rng, action))

        @rule(rng=RANDOMS)
        def complete_a_task(self, rng: random.Random) -> None:
            self._acted(self.driver.act_on_task(rng, "complete"))

        @rule(rng=RANDOMS)
        def claim_and_complete(self, rng: random.Random) -> None:
            self._acted(self.driver.progress(rng))

        @rule(rng=RANDOMS)
        def claim_and_complete_again(self, rng: random.Random) -> None:
            self._acted(self.driver.progress(rng))

        @rule(rng=RANDOMS)
        def deliver_a_message(self, rng: random.Random) -> None:
            self._acted(self.driver.deliver(rng))

        @rule(rng=RANDOMS, roll=st.integers(0, 3))
        def cancel_a_case(self, rng: random.Random, roll: int) -> None:
            if roll == 0:  # cancelling ends cases: rarer than the rest
                self._acted(self.driver.cancel(rng))

        @rule(rng=RANDOMS)
        def migrate_a_case(self, rng: random.Random) -> None:
            self._acted(self.driver.migrate(rng))

        @rule()
        def another_process_takes_the_next_step(self) -> None:
            # Steps usually reuse the workflow kept in memory; a fresh process reads it from the row instead.
            kept.clear()
            self.driver.log.append("(kept workflows dropped)")

        @rule(step=st.sampled_from(CLOCK_STEPS))
        def move_the_clock_and_fire_timers(self, step: object) -> None:
            self.driver.fire_timers(self.clock, step)  # type: ignore[arg-type]
            self.actor = None

        @invariant()
        def invariants_hold(self) -> None:
            self._check([self.actor] if self.actor is not None else [])

        def _check(self, users: list[Actor]) -> None:
            try:
                with self.db.transaction(readonly=True) as session:
                    check_all(session, self.cache, self.driver.ledger.claims, self.driver.ledger.unclaims,
                              self.driver.ledger.transfers, users if lists else [])
            except AssertionError as exc:
                steps = "\n".join(f"  {line}" for line in self.driver.log)
                raise AssertionError(f"{exc}\nsteps so far:\n{steps}") from exc

        def teardown(self) -> None:
            try:
                self._check(list(self.acted.values()))
            finally:
                self._travel.stop()
                self._drop()
                kept.clear()

    return CaseCore


# Shrinking a run of database commands takes minutes for little gain: a failure prints its steps instead.
MACHINE_SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=[Phase.explicit, Phase.generate],
                        suppress_health_check=list(HealthCheck))


def test_invariants_hold_under_random_commands_on_sqlite(sqlite_world):
    template, actors = sqlite_world
    run_state_machine_as_test(case_core_machine(sqlite_copies(template), actors, lists=False),
                              settings=settings(max_examples=20, stateful_step_count=40, **MACHINE_SETTINGS))


def test_invariants_hold_under_random_commands_on_postgresql(pg_world):
    new_db, actors = pg_world
    run_state_machine_as_test(case_core_machine(new_db, actors, lists=False),
                              settings=settings(max_examples=8, stateful_step_count=20, **MACHINE_SETTINGS))


def test_every_listed_case_opens_and_every_opening_case_is_listed_on_sqlite(sqlite_world):
    template, actors = sqlite_world
    run_state_machine_as_test(case_core_machine(sqlite_copies(template), actors, lists=True),
                              settings=settings(max_examples=10, stateful_step_count=30, **MACHINE_SETTINGS))


def test_every_listed_case_opens_and_every_opening_case_is_listed_on_postgresql(pg_world):
    new_db, actors = pg_world
    run_state_machine_as_test(case_core_machine(new_db, actors, lists=True),
                              settings=settings(max_examples=5, stateful_step_count=20, **MACHINE_SETTINGS))


# -- concurrency: several threads, each its own transaction per command ---------------------------------------
THREADS = 4
STEPS_PER_THREAD = 25
CONCURRENT_ROUNDS = 2


@contextmanager
def travelling() -> Iterator[None]:
    with time_machine.travel(world.T0, tick=True):
        yield


def _start_a_few(driver: Driver, rng: random.Random) -> list[int]:
    for process in (*world.PROCESSES, "social_event", "licensing"):
        username, data = world.STARTS[process](rng, driver.actors)
        outcome = world.run_command(driver.db, world.start(process, driver.actors[username], data),
                                    check_refusal=False)
        assert outcome.ok, f"start of {process} refused: {outcome.error}"
    with driver.db.transaction(readonly=True) as session:
        return [c.id for c in world.running_cases(session)]


def _race(driver: Driver, case_ids: list[int], seed: int) -> list[str]:
    unexpected: list[str] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        barrier.wait(timeout=30)
        for _ in range(STEPS_PER_THREAD):
            try:
                driver.random_step(rng, case_ids)
            except CasegridError:
                pass  # a command's refusal is an answer (run_command already returns those)
            except Exception:  # noqa: BLE001 - anything else would be a 500
                unexpected.append(traceback.format_exc())
                return

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return unexpected


def _race_and_check(new_db: NewDatabase, actors: dict[str, Actor], seed: int) -> None:
    db, drop = new_db()
    try:
        with travelling():
            driver = Driver(db, actors, check_refusals=False)
            case_ids = _start_a_few(driver, random.Random(seed))
            unexpected = _race(driver, case_ids, seed)
            assert not unexpected, "commands failed with errors other than CasegridError:\n" + "\n".join(unexpected)
            with db.transaction(readonly=True) as session:
                try:
                    check_all(session, WorkflowCache(), driver.ledger.claims, driver.ledger.unclaims,
                              driver.ledger.transfers, [])
                except AssertionError as exc:
                    raise AssertionError(f"{exc}\nsteps:\n" + "\n".join(driver.log)) from exc
    finally:
        drop()
        kept.clear()


@pytest.mark.parametrize("seed", range(CONCURRENT_ROUNDS))
def test_threads_racing_on_the_same_cases_meet_only_refusals_and_keep_the_invariants_on_postgresql(pg_world, seed):
    """No 500s: every command either succeeds or raises a CasegridError. Afterwards the projections, waits,
    timers and audit trail hold, and each task's holder is what its audit trail says: nobody took a task
    from its holder."""
    new_db, actors = pg_world
    _race_and_check(new_db, actors, seed)


# -- the checks themselves can fail ----------------------------------------------------------------------
def test_the_invariant_checks_catch_a_lost_task_a_stolen_claim_a_second_firing_and_a_changed_refusal(sqlite_world):
    template, actors = sqlite_world
    from .invariant_checks import (
        check_assignees_match_audit,
        check_projections_match_workflow,
        check_running_cases_wait,
        check_timers_fire_once,
    )

    db, drop = sqlite_copies(template)()
    try:
        _username, data = world.licensing_start(random.Random(0), actors)
        case_id = world.run_command(db, world.start("licensing", actors["window1"], data)).result
        assert world.run_command(db, world.claim(actors["window1"], _only_item(db, case_id))).ok
        with db.transaction(readonly=True) as session:
            before = world.snapshot_rows(session)
            check_all(session, WorkflowCache(), {_only_item(db, case_id): 1}, {}, {}, [])
        with db.transaction() as session:  # someone else's name written over the holder's, no audit
            session.execute(text("UPDATE work_items SET assignee = 'window2'"))
        with db.transaction(readonly=True) as session, pytest.raises(AssertionError, match="audit trail says"):
            check_assignees_match_audit(session)
        with pytest.raises(AssertionError, match="changed work_items"):
            with db.transaction(readonly=True) as session:
                world.assert_unchanged(before, world.snapshot_rows(session), CasegridError("refused"))
        with db.transaction() as session:  # a timer fired twice
            session.execute(text("INSERT INTO audit_events (case_id, at, actor, action, task_id, details) "
                                 "SELECT case_id, created_at, 'system', 'timer_fired', spiff_task_id, '{}' FROM timers"))
            session.execute(text("INSERT INTO audit_events (case_id, at, actor, action, task_id, details) "
                                 "SELECT case_id, created_at, 'system', 'timer_fired', spiff_task_id, '{}' FROM timers"))
        with db.transaction(readonly=True) as session, pytest.raises(AssertionError, match="more than once"):
            check_timers_fire_once(session)
        with db.transaction() as session:  # the task and the timer vanish from the projections
            session.execute(text("UPDATE work_items SET status = 'withdrawn'"))
            session.execute(text("UPDATE timers SET status = 'cancelled'"))
        with db.transaction(readonly=True) as session:
            with pytest.raises(AssertionError, match="waiting on nothing"):
                check_running_cases_wait(session)
            with pytest.raises(AssertionError, match="ready user tasks"):
                check_projections_match_workflow(session, WorkflowCache())
    finally:
        drop()


def _only_item(db: Database, case_id: int) -> str:
    with db.transaction(readonly=True) as session:
        (item,) = [i for i in world.open_items(session) if i.case_id == case_id]
        return item.id
