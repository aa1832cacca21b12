"""One random action by one random demo user, through the commands: what the state machine's rules and the
concurrent threads both run. Every action returns the actor who acted (or None), so the checks can hold
that user's lists to their object checks."""
from __future__ import annotations

import random
import threading
from datetime import timedelta
from typing import Any

import time_machine

from engine.org.access import Actor
from engine.store.database import Database
from engine.store.models.tasks import WorkItem

from . import invariant_world as world

CLOCK_STEPS = (timedelta(minutes=20), timedelta(hours=3), timedelta(days=1), timedelta(days=6),
               timedelta(days=40), timedelta(days=120))
TASK_ACTIONS = ("claim", "claim", "complete", "complete", "complete", "complete", "unclaim", "transfer", "return",
                "complete_invalid")


class Driver:
    """Drives one database; `check_refusals` snapshots the rows around every command (single-threaded only)."""

    def __init__(self, db: Database, actors: dict[str, Actor], check_refusals: bool = True,
                 clock: time_machine.Coordinates | None = None) -> None:
        self.db = db
        self.clock = clock
        self.actors = actors
        self.check_refusals = check_refusals
        self.ledger = world.Ledger()
        self._lock = threading.Lock()
        self.log: list[str] = []

    def _run(self, description: str, command: Any) -> world.Outcome:
        if self.clock is not None:
            self.clock.shift(timedelta(seconds=1))
        outcome = world.run_command(self.db, command, check_refusal=self.check_refusals)
        with self._lock:
            self.log.append(f"{description} -> {'ok' if outcome.ok else type(outcome.error).__name__}")
        return outcome

    def _read(self, what: Any) -> Any:
        with self.db.transaction(readonly=True) as session:
            rows = what(session)
            session.expunge_all()
            return rows

    def running_count(self) -> int:
        return len(self._read(world.running_cases))

    # -- actions --------------------------------------------------------------------------------------
    def start(self, rng: random.Random, process_key: str, valid: bool = True) -> Actor:
        username, data = world.STARTS[process_key](rng, self.actors)
        actor = self.actors[username] if rng.random() > 0.1 else rng.choice(list(self.actors.values()))
        self._run(f"{actor.username} starts {process_key}{'' if valid else ' (invalid)'}",
                  world.start(process_key, actor, data if valid else world.invalid_start(data)))
        return actor

    def act_on_task(self, rng: random.Random, action: str, case_ids: list[int] | None = None) -> Actor | None:
        items = [i for i in self._read(world.open_items) if case_ids is None or i.case_id in case_ids]
        if not items:
            return None
        item: WorkItem = rng.choice(items)
        worker = self._read(lambda session: world.a_worker(session, self.actors, item.id, rng))
        actor = world.pick_actor(rng, self.actors, worker)
        what = f"{actor.username} {action}s {item.task_spec} of case {item.case_id}"
        if action == "claim":
            outcome = self._run(what, world.claim(actor, item.id))
            if outcome.ok and outcome.result:
                with self._lock:
                    self.ledger.add(self.ledger.claims, item.id)
        elif action == "unclaim":
            if item.assignee and rng.random() < 0.8:
                actor = self.actors.get(item.assignee, actor)
            if self._run(what, world.unclaim(actor, item.id)).ok:
                with self._lock:
                    self.ledger.add(self.ledger.unclaims, item.id)
        elif action == "transfer":
            colleagues = world.colleagues_for(self.actors, item, actor.username)
            target = world.pick_actor(rng, self.actors, rng.choice(colleagues) if colleagues else None)
            reason = "工作调整，转交同事" if rng.random() < 0.9 else " "
            if self._run(f"{what} to {target.username}", world.transfer(actor, item.id, target.username, reason)).ok:
                with self._lock:
                    self.ledger.add(self.ledger.transfers, item.id)
        elif action == "return":
            reason = "不属于本单位职责范围" if rng.random() < 0.9 else ""
            self._run(what, world.return_task(actor, item.id, reason))
        elif action == "complete":
            answers = world.ANSWERS.get(item.form_key or "", ({},))
            self._run(what, world.complete(actor, item.id, dict(rng.choice(answers))))
        elif action == "complete_invalid":
            self._run(what, world.complete(actor, item.id, dict(world.INVALID_ANSWERS)))
        return actor

    def progress(self, rng: random.Random) -> Actor | None:
        """What the inbox does most: someone who may work an open task claims it and completes it properly."""
        items = self._read(world.open_items)
        if not items:
            return None
        # A case first, then one of its tasks: a case with many parallel tasks must not crowd out the rest.
        case_id = rng.choice(sorted({i.case_id for i in items}))
        item: WorkItem = rng.choice([i for i in items if i.case_id == case_id])
        actor = self._read(lambda session: world.a_worker(session, self.actors, item.id, rng))
        if actor is None:
            return None
        what = f"{actor.username} claims and completes {item.task_spec} of case {item.case_id}"
        outcome = self._run(what, world.claim(actor, item.id))
        if not outcome.ok:
            return actor
        if outcome.result:
            with self._lock:
                self.ledger.add(self.ledger.claims, item.id)
        answers = world.ANSWERS.get(item.form_key or "", ({},))
        self._run(what, world.complete(actor, item.id, dict(rng.choice(answers))))
        return actor

    def cancel(self, rng: random.Random, case_ids: list[int] | None = None) -> Actor | None:
        cases = [c for c in self._read(world.running_cases) if case_ids is None or c.id in case_ids]
        if not cases:
            return None
        case = rng.choice(cases)
        opener = self.actors.get(case.opened_by or "")
        roll = rng.random()
        actor = opener if opener is not None and roll < 0.4 else \
            self.actors["supervisor1"] if roll < 0.7 else rng.choice(list(self.actors.values()))
        reason = "重复立案，予以撤销" if rng.random() < 0.9 else ""
        self._run(f"{actor.username} cancels case {case.id}", world.cancel(actor, case.id, reason))
        return actor

    def deliver(self, rng: random.Random, case_ids: list[int] | None = None) -> Actor | None:
        subs = [s for s in self._read(world.subscriptions) if case_ids is None or s.case_id in case_ids]
        cases = [c for c in self._read(world.running_cases) if case_ids is None or c.id in case_ids]
        if not cases:
            return None
        if subs and rng.random() < 0.85:
            sub = rng.choice(subs)
            name, case_id = sub.message_name, sub.case_id
            payload = dict(rng.choice(world.MESSAGE_PAYLOADS.get(name, ({},))))
            payload.update(sub.correlation or {})
        else:  # a message nobody waits for: a refusal
            name, case_id = rng.choice(sorted(world.MESSAGE_PAYLOADS)), rng.choice(cases).id
            payload = dict(world.MESSAGE_PAYLOADS[name][0])
        roll = rng.random()
        actor = self.actors[rng.choice(("duty1", "duty2"))] if roll < 0.5 else \
            self.actors["supervisor1"] if roll < 0.8 else rng.choice(list(self.actors.values()))
        self._run(f"{actor.username} sends {name} to case {case_id}", world.deliver(actor, name, case_id, payload))
        return actor

    def migrate(self, rng: random.Random, case_ids: list[int] | None = None) -> Actor | None:
        """An analyst (now and then someone who may not) moves a running case to the other version."""
        cases = [c for c in self._read(world.running_cases) if case_ids is None or c.id in case_ids]
        if not cases:
            return None
        case = rng.choice(cases)
        found = self._read(lambda session: world.version_of(session, case.id))
        if found is None:
            return None
        process_key, version = found
        actor = self.actors["analyst"] if rng.random() < 0.8 else rng.choice(list(self.actors.values()))
        other = 2 if version == 1 else 1
        self._run(f"{actor.username} migrates case {case.id} to v{other}",
                  world.migrate(actor, process_key, case.id, version, other))
        return actor

    def fire_timers(self, traveller: time_machine.Coordinates | None, step: timedelta | None) -> None:
        if traveller is not None and step is not None:
            traveller.shift(step)
        fired = world.fire_timers(self.db)
        with self._lock:
            self.log.append(f"clock +{step}: {fired} timer(s) fired")

    def random_step(self, rng: random.Random, case_ids: list[int]) -> Actor | None:
        """One action on the given cases (the concurrent threads' loop; no clock moves there)."""
        roll = rng.random()
        if roll < 0.75:
            return self.act_on_task(rng, rng.choice(TASK_ACTIONS), case_ids)
        if roll < 0.88:
            return self.deliver(rng, case_ids)
        if roll < 0.93:
            return self.cancel(rng, case_ids)
        self.fire_timers(None, None)
        return None

