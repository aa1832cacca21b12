"""Reports of one category and grid cell arriving at once, under the shipped rule sets: the hot-spot rule's
actions on the other reports (links, raised priority) never lose a start to a concurrent writer of those
reports — a version conflict is retried, never a 500 — and the hot spot is started once."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.cases.service import start_case
from engine.commands.tasks import claim, complete
from engine.errors import Conflict
from engine.events import actions as operations
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case, CaseLink
from engine.store.models.rules import EventRuleState
from engine.store.models.tasks import WorkItem
from tests.conftest import deploy_bundled
from tests.social_event.helpers import REPORT

CLIENTS = 8
ROUNDS = 3  # 24 reports of one group: 8 hot spots


@pytest.fixture
def deployed_pg(pg_db: Database) -> Iterator[Database]:
    deploy_bundled(pg_db)
    yield pg_db


def _report(db: Database, n: int) -> int:
    with db.transaction() as session:
        return start_case(session, "social_event", {**REPORT, "title": f"湖贝路口暴露垃圾（第{n}次上报）"},
                          actor_for(session, "hotline1")).id


def _register(db: Database, case_id: int) -> None:
    """The dispatcher registers a report: a step of that case, which bumps its version."""
    with db.transaction() as session:
        item_id = session.scalars(select(WorkItem.id).where(WorkItem.case_id == case_id, WorkItem.status == "open",
                                                            WorkItem.task_spec == "register")).one()
        dispatcher = actor_for(session, "dispatcher1")
        claim(session, dispatcher, item_id)
        complete(session, dispatcher, item_id, {"register_decision": "register"})


def _count(db: Database, model: Any, *where: Any) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_postgresql_a_report_registered_while_the_hot_spot_rule_raises_its_priority_loses_neither(
        deployed_pg, monkeypatch):
    first, second = _report(deployed_pg, 1), _report(deployed_pg, 2)
    original = operations.ActionContext.cases
    window_reads: list[str | None] = []
    interleaved: list[str] = []

    def cases_then_a_concurrent_step(self: operations.ActionContext, target: str | None) -> list[Case]:
        found = original(self, target)
        window_reads.append(target)
        # The rule's second action (raise_priority) has read the window's reports to change them; the
        # dispatcher now registers the first report and commits before the rule writes.
        if window_reads.count("window") == 2 and not interleaved:
            writer = threading.Thread(target=lambda: interleaved.append(_register(deployed_pg, first) or "done"))
            writer.start()
            writer.join(timeout=30)
            assert interleaved == ["done"], "the concurrent registration did not commit"
        return found

    monkeypatch.setattr(operations.ActionContext, "cases", cases_then_a_concurrent_step)
    third = _report(deployed_pg, 3)  # fires the hot spot: no exception escapes, the start stands
    assert interleaved == ["done"]

    assert _count(deployed_pg, Case, Case.process_key == "hot_spot") == 1
    with deployed_pg.transaction(readonly=True) as session:
        for case_id in (first, second, third):
            assert session.get(Case, case_id).priority == 2
        assert session.get(Case, first).current_step != "登记立案"  # the registration stands too
    assert _count(deployed_pg, AuditEvent, AuditEvent.action == "task_completed", AuditEvent.case_id == first) == 1
    assert _count(deployed_pg, CaseLink, CaseLink.kind == "hot_spot") == 3


def test_postgresql_a_report_changed_again_on_every_retry_refuses_the_start_with_a_conflict_changing_nothing(
        deployed_pg, monkeypatch):
    first, _second = _report(deployed_pg, 1), _report(deployed_pg, 2)
    original = operations.ActionContext.cases
    window_reads: list[str | None] = []

    def cases_then_another_writer(self: operations.ActionContext, target: str | None) -> list[Case]:
        found = original(self, target)
        window_reads.append(target)
        if window_reads.count("window") >= 2:  # every run of raise_priority, first and retries
            bump = threading.Thread(target=_bump_version, args=(deployed_pg, first))
            bump.start()
            bump.join(timeout=30)
        return found

    monkeypatch.setattr(operations.ActionContext, "cases", cases_then_another_writer)
    with pytest.raises(Conflict, match="changed by someone else"):
        _report(deployed_pg, 3)
    assert window_reads.count("window") == 1 + operations.ATTEMPTS
    assert _count(deployed_pg, Case) == 2  # neither the third report nor a hot spot
    assert _count(deployed_pg, Case, Case.priority == 2) == 0
    assert _count(deployed_pg, EventRuleState) == 1  # the window still holds the two reports


def _bump_version(db: Database, case_id: int) -> None:
    with db.transaction() as session:
        session.get(Case, case_id).title += "。"


def _run_all(jobs: list[Any]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes = [""] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index] = f"ok:{jobs[index]()}"
        except Conflict:
            outcomes[index] = "conflict"
        except Exception as exc:  # noqa: BLE001 - an unexpected exception is what the test looks for
            outcomes[index] = f"error:{exc!r}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_postgresql_eight_clients_reporting_one_group_while_dispatchers_register_lose_no_start(deployed_pg):
    acknowledged: list[int] = []
    registrations: list[str] = []
    for round_ in range(ROUNDS):
        earlier = list(acknowledged)
        starts = [lambda n=round_ * CLIENTS + i: _report(deployed_pg, n) for i in range(CLIENTS)]
        # Two dispatchers register earlier reports of the group while the new ones arrive: the hot-spot
        # rule raises those reports' priority at the same moment.
        registers = [lambda case_id=case_id: _register(deployed_pg, case_id) for case_id in earlier[-2:]]
        outcomes = _run_all(starts + registers)
        started, registered = outcomes[:CLIENTS], outcomes[CLIENTS:]
        assert not [o for o in outcomes if o.startswith("error")], outcomes
        acknowledged += [int(o.split(":")[1]) for o in started if o.startswith("ok")]
        registrations += registered
    # A start may at worst be refused with a conflict after its retries; here none needs to be.
    assert len(acknowledged) == CLIENTS * ROUNDS
    with deployed_pg.transaction(readonly=True) as session:
        present = set(session.scalars(select(Case.id).where(Case.id.in_(acknowledged))))
    assert present == set(acknowledged)
    assert _count(deployed_pg, Case, Case.process_key == "hot_spot") == len(acknowledged) // 3
    assert _count(deployed_pg, EventRuleState) == (1 if len(acknowledged) % 3 else 0)
    assert _count(deployed_pg, AuditEvent, AuditEvent.action == "task_completed") == registrations.count("ok:None")
