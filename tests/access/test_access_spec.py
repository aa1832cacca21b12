"""The access specification's rules that the demo does not exercise on every database: named candidates
(a JSON list in the projection) on SQLite and PostgreSQL, the case list's total counted in parts, and the
declarations' own validation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.cases.access import NEWEST_FIRST, CaseFilter, list_visible_cases
from engine.commands.cases import start
from engine.commands.tasks import claim, complete
from engine.definitions.bundle import Bundle
from engine.errors import Forbidden, NotFound
from engine.org.access import (
    Actor,
    case_visible,
    case_visible_parts,
    may_see_case,
    may_see_task,
    may_work_task,
)
from engine.org.config import parse_organisation
from engine.store import counting
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.tasks.queries import TaskFilter, list_tasks
from engine.tasks.view import authorised_item
from tests.core.helpers import DISPATCHER, FIXTURES, deploy_two_step, shipped_actor, two_step_bundle

# An analyst named on the task: no lane role, no department, no declared reach.
NAMED = Actor("ops_lead", None, frozenset({("analyst", None)}))
# An analyst-like user whose name is a LIKE pattern that would match the named one if not escaped.
LOOKALIKE = Actor("ops%lead", None, frozenset({("analyst", None)}))
OTHER_UNIT = Actor("hw1", "huanwei", frozenset({("handler", None)}))


def _named_candidate_bundle() -> Bundle:
    text = (FIXTURES / "two_step" / "processes" / "two_step.bpmn").read_text(encoding="utf-8")
    text = text.replace('id="two_step_definitions"', 'id="named_candidate_definitions"').replace(
        '<bpmn:process id="two_step"', '<bpmn:process id="named_candidate"').replace(
        '<spiffworkflow:property name="department" value="responsible_department" />',
        '<spiffworkflow:property name="department" value="responsible_department" />\n'
        '          <spiffworkflow:property name="candidateUsers" value=\'["ops_lead"]\' />')
    return two_step_bundle().overlay(Bundle({"processes/named_candidate.bpmn": text}))


def _approval_named_to_ops_lead(db: Database) -> tuple[int, str]:
    deploy_two_step(db, _named_candidate_bundle())
    with db.transaction() as session:
        case = start(session, DISPATCHER, "named_candidate", {})
        [fill] = list_tasks(session, DISPATCHER, TaskFilter(scope="candidate", case_id=case.id))[0]
        [approve] = complete(session, DISPATCHER, fill.id,
                             {"amount": "3", "responsible_department": "chengguan"}).opened
        return case.id, approve.id


def _named_candidate_sees_lists_and_works_the_task(db: Database) -> None:
    case_id, item_id = _approval_named_to_ops_lead(db)
    with db.transaction(readonly=True) as session:
        listed, total = list_tasks(session, NAMED, TaskFilter(scope="candidate"))
        assert [i.id for i in listed] == [item_id] and total == 1
        assert may_see_task(session, NAMED, item_id) and may_work_task(session, NAMED, item_id)
        assert may_see_case(session, NAMED, case_id)
        assert [c.id for c in list_visible_cases(session, NAMED, CaseFilter())[0]] == [case_id]
        for outsider in (LOOKALIKE, OTHER_UNIT):
            assert list_tasks(session, outsider, TaskFilter(scope="all", status="any")) == ([], 0)
            assert not may_see_task(session, outsider, item_id) and not may_see_case(session, outsider, case_id)
            with pytest.raises(NotFound):
                authorised_item(session, item_id, outsider)
    with db.transaction() as session:
        assert claim(session, NAMED, item_id).assignee == "ops_lead"
    with db.transaction(readonly=True) as session:
        # Claimed: the colleague who could have claimed it still sees it, but may no longer work it.
        assert may_see_task(session, Actor("cg1", "chengguan", frozenset({("handler", None)})), item_id)
        with pytest.raises(Forbidden):
            authorised_item(session, item_id, Actor("cg1", "chengguan", frozenset({("handler", None)})),
                            to_work=True)


def test_a_named_candidate_sees_lists_and_works_the_task_and_nobody_else_outside_its_lane_does(
        db: Database) -> None:
    _named_candidate_sees_lists_and_works_the_task(db)


def test_a_named_candidate_sees_lists_and_works_the_task_on_postgresql(pg_db: Database) -> None:
    _named_candidate_sees_lists_and_works_the_task(pg_db)


def _cases_routed_here_and_there(db: Database) -> dict[str, int]:
    """Cases opened by disp1: two routed to chengguan, one to huanwei, one still at its first step (no
    department yet; the dispatchers' lane holds it)."""
    deploy_two_step(db, _named_candidate_bundle())
    cases: dict[str, int] = {}
    with db.transaction() as session:
        for name, department in (("chengguan 1", "chengguan"), ("chengguan 2", "chengguan"),
                                 ("huanwei", "huanwei"), ("unrouted", None)):
            case = start(session, DISPATCHER, "named_candidate", {})
            if department:
                [fill] = list_tasks(session, DISPATCHER, TaskFilter(scope="candidate", case_id=case.id))[0]
                complete(session, DISPATCHER, fill.id, {"amount": "3", "responsible_department": department})
            cases[name] = case.id
    return cases


# A dispatcher of chengguan sees chengguan's cases by department, the others as a holder of their first
# step's lane: both ways for chengguan's, which the parts must count once.
DISPATCHER_CG = shipped_actor("disp2", "chengguan", "dispatcher")
COUNTED = (DISPATCHER_CG, shipped_actor("cg1", "chengguan", "handler"), shipped_actor("hw1", "huanwei", "handler"),
           shipped_actor("disp1", "zhihui", "dispatcher"), shipped_actor("sv1", None, "supervisor"), NAMED, LOOKALIKE)


def _case_totals_count_what_the_list_shows_at_every_bound(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases_routed_here_and_there(db)
    with db.transaction(readonly=True) as session:
        parts_of_cg = [set(session.scalars(select(Case.id).where(part))) for part in case_visible_parts(DISPATCHER_CG)]
        assert parts_of_cg == [{cases["chengguan 1"], cases["chengguan 2"]}, {cases["huanwei"], cases["unrouted"]}]
        for actor in COUNTED:
            visible = set(session.scalars(select(Case.id).where(case_visible(actor))))
            parts = [set(session.scalars(select(Case.id).where(part))) for part in case_visible_parts(actor)]
            assert sum(len(part) for part in parts) == len(visible) and set().union(*parts) == visible, actor
            listed = {case.id for case in list_visible_cases(session, actor, CaseFilter(), limit=200)[0]}
            assert listed == visible, actor
            # Page by page, the list is case_visible's cases newest first, whatever reasons it read them by.
            newest_first = list(session.scalars(select(Case.id).where(case_visible(actor)).order_by(*NEWEST_FIRST)))
            paged = [case.id for offset in range(0, len(visible) + 1, 2)
                     for case in list_visible_cases(session, actor, CaseFilter(), limit=2, offset=offset)[0]]
            assert paged == newest_first, actor
            for bound in range(1, len(visible) + 2):
                monkeypatch.setattr(counting, "COUNT_BOUND", bound)
                _rows, total = list_visible_cases(session, actor, CaseFilter(), limit=1)
                expected = (bound, True) if len(visible) > bound else (len(visible), False)
                assert (int(total), total.at_least) == expected, (actor.username, bound)


def test_a_case_total_counts_each_visible_case_once_by_department_first_and_stops_at_the_bound(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _case_totals_count_what_the_list_shows_at_every_bound(db, monkeypatch)


def test_a_case_total_counts_each_visible_case_once_by_department_first_and_stops_at_the_bound_on_postgresql(
        pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _case_totals_count_what_the_list_shows_at_every_bound(pg_db, monkeypatch)


@pytest.mark.parametrize(("declaration", "reason"), [
    ("{code: x, name_zh: X, sees: everything}", "role x: sees must be one of all, department, scope, own"),
    ("{code: x, name_zh: X, oversees: scope}", "role x: oversees must be one of all, department"),
])
def test_a_role_declaring_an_unknown_reach_is_refused_with_the_role_and_the_allowed_values(
        declaration: str, reason: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_organisation(f"roles:\n  - {declaration}\n")
    assert reason in str(refused.value)


def test_a_role_declares_nothing_and_reaches_only_its_holders_own() -> None:
    assert parse_organisation("roles:\n  - {code: x, name_zh: X}\n").access["x"].sees == "own"
