"""Lists and pages agree for every demo user over every demo case and task (issue 11, point 2).

One access specification yields both the list filter and the one-object check; this drives the whole
demo district through both and fails on any row a list shows that its page refuses, any case a page
opens that the list hides, and any inbox task its holder cannot work.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.cases.access import NEWEST_FIRST, CaseFilter, list_visible_cases
from engine.cases.view import case_view
from engine.errors import Forbidden, NotFound
from engine.org.access import case_visible, case_visible_parts
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.org import User
from engine.store.models.tasks import WorkItem
from engine.tasks.inbox import inbox
from engine.tasks.queries import TaskFilter
from engine.tasks.view import authorised_item, task_view
from tests.conftest import sqlite_database_from

REFUSED = (Forbidden, NotFound)


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The seeded demo district, copied once for the module: every test here only reads."""
    yield from sqlite_database_from(demo_template, tmp_path_factory.mktemp("demo"))


# Every user is checked; the users are dealt into shards so that the xdist workers share the sweep.
SHARDS = 3
SHARD = pytest.mark.parametrize("shard", range(SHARDS))


def _usernames(demo: Database, shard: int) -> list[str]:
    with demo.transaction(readonly=True) as session:
        users = list(session.scalars(select(User.username).where(User.active.is_(True)).order_by(User.username)))
    return users[shard::SHARDS]


def _listed_cases(session, actor) -> set[int]:  # type: ignore[no-untyped-def]
    """Every page of the actor's case list; the total must count exactly the rows the pages show."""
    ids: list[int] = []
    while True:
        rows, total = list_visible_cases(session, actor, CaseFilter(), limit=200, offset=len(ids))
        ids += [case.id for case in rows]
        if not rows or len(ids) >= total:
            assert len(ids) == total, f"{actor.username}: the case total counts rows the list does not show"
            return set(ids)


def _listed_tasks(session, actor, flt: TaskFilter) -> list:  # type: ignore[no-untyped-def]
    rows: list = []
    while True:
        page, total = inbox(session, actor, flt, limit=200, offset=len(rows))
        rows += page
        if not page or len(rows) >= total:
            assert len(rows) == total, f"{actor.username}: the task total counts rows the list does not show"
            return rows


def _opens_case(session, actor, case_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        case_view(session, case_id, actor)
    except REFUSED:
        return False
    return True


def _passes_task_check(session, actor, item_id: str) -> bool:  # type: ignore[no-untyped-def]
    """The check the task page makes (without reading the form and workflow it then shows)."""
    try:
        authorised_item(session, item_id, actor)
    except REFUSED:
        return False
    return True


def _opens_task(session, actor, item_id: str):  # type: ignore[no-untyped-def]
    try:
        return task_view(session, item_id, actor)
    except REFUSED:
        return None


@SHARD
def test_every_case_a_users_list_shows_opens_and_every_case_that_opens_is_listed(demo: Database, shard: int) -> None:
    disagreements: list[str] = []
    with demo.transaction(readonly=True) as session:
        case_ids = list(session.scalars(select(Case.id).order_by(Case.id)))
        assert len(case_ids) >= 40
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            listed_ids = _listed_cases(session, actor)
            opened = {case_id for case_id in case_ids if _opens_case(session, actor, case_id)}
            disagreements += [f"{username} lists case {c} but its page refuses" for c in listed_ids - opened]
            disagreements += [f"{username} opens case {c} but the list hides it" for c in opened - listed_ids]
    assert disagreements == []


@SHARD
def test_every_users_case_list_is_their_visible_cases_newest_first_page_by_page(demo: Database, shard: int) -> None:
    # The list reads each reason a case is visible from its own index (case_reasons); the pages must be
    # exactly what walking every case newest first with case_visible would show, in that order.
    disagreements: list[str] = []
    with demo.transaction(readonly=True) as session:
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            newest_first = list(session.scalars(select(Case.id).where(case_visible(actor)).order_by(*NEWEST_FIRST)))
            paged = [case.id for offset in range(0, len(newest_first) + 1, 7)
                     for case in list_visible_cases(session, actor, CaseFilter(), limit=7, offset=offset)[0]]
            if paged != newest_first:
                disagreements.append(f"{username}: pages show {paged}, newest first are {newest_first}")
    assert disagreements == []


def test_every_task_carries_its_cases_opening_time(demo: Database) -> None:
    # The list reads a person's tasks in the cases' order by the copy; the demo even moves cases back.
    with demo.transaction(readonly=True) as session:
        pairs = session.execute(select(WorkItem.case_opened_at, Case.opened_at).join(Case, Case.id == WorkItem.case_id))
        assert [copy for copy, opened in pairs if copy != opened] == []


@SHARD
def test_every_users_case_total_counts_in_parts_that_never_overlap_and_miss_no_visible_case(
        demo: Database, shard: int) -> None:
    # The case list's total counts case_visible_parts in turn (department first): each case once.
    disagreements: list[str] = []
    with demo.transaction(readonly=True) as session:
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            visible = set(session.scalars(select(Case.id).where(case_visible(actor))))
            parts = [list(session.scalars(select(Case.id).where(part))) for part in case_visible_parts(actor)]
            counted = [case_id for part in parts for case_id in part]
            if sorted(counted) != sorted(visible):
                disagreements.append(f"{username}: parts count {sorted(counted)}, visible are {sorted(visible)}")
    assert disagreements == []


@SHARD
def test_every_task_a_users_list_shows_opens_and_every_task_that_opens_is_listed(demo: Database, shard: int) -> None:
    disagreements: list[str] = []
    with demo.transaction(readonly=True) as session:
        item_ids = list(session.scalars(select(WorkItem.id)))
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            rows = _listed_tasks(session, actor, TaskFilter(scope="all", status="any"))
            listed = {row.item.id for row in rows}
            opened = {item_id for item_id in item_ids if _passes_task_check(session, actor, item_id)}
            disagreements += [f"{username} lists task {t} but its page refuses" for t in listed - opened]
            disagreements += [f"{username} opens task {t} but the list hides it" for t in opened - listed]
    assert disagreements == []


@SHARD
def test_every_task_in_a_users_inbox_can_be_worked_by_them(demo: Database, shard: int) -> None:
    refused: list[str] = []
    seen_any = 0
    with demo.transaction(readonly=True) as session:
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            for scope in ("mine", "candidate"):
                rows = _listed_tasks(session, actor, TaskFilter(scope=scope))
                for row in rows:
                    seen_any += 1
                    page = _opens_task(session, actor, row.item.id)
                    if not row.can_work or page is None or not page.can_work:
                        refused.append(f"{username} has {row.item.task_name} ({row.item.id}) in '{scope}' "
                                       "but may not work it")
    assert seen_any > 15  # every shard meets work in its users' inboxes (over a hundred tasks in all)
    assert refused == []


@SHARD
def test_a_task_is_visible_exactly_with_its_case(demo: Database, shard: int) -> None:
    """The case page links each of its tasks and a task page shows its case: whoever opens one opens the other."""
    mismatched: list[str] = []
    with demo.transaction(readonly=True) as session:
        case_of: dict[str, int] = {item_id: case_id for item_id, case_id in session.execute(
            select(WorkItem.id, WorkItem.case_id))}
        for username in _usernames(demo, shard):
            actor = actor_for(session, username)
            cases = _listed_cases(session, actor)
            tasks = {row.item.id for row in _listed_tasks(session, actor, TaskFilter(scope="all", status="any"))}
            expected = {item_id for item_id, case_id in case_of.items() if case_id in cases}
            mismatched += [f"{username} sees task {t} but not its case" for t in tasks - expected]
            mismatched += [f"{username} sees case {case_of[t]} but not its task {t}" for t in expected - tasks]
    assert mismatched == []
