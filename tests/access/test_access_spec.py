"""The access specification's rules that the demo does not exercise on every database: named candidates
(a JSON list in the projection) on SQLite and PostgreSQL, and the declarations' own validation."""
from __future__ import annotations

import pytest

from engine.cases.access import CaseFilter, list_visible_cases
from engine.commands.cases import start
from engine.commands.tasks import claim, complete
from engine.definitions.bundle import Bundle
from engine.errors import Forbidden, NotFound
from engine.org.access import Actor, may_see_case, may_see_task, may_work_task
from engine.org.config import parse_organisation
from engine.store.database import Database
from engine.tasks.queries import TaskFilter, list_tasks
from engine.tasks.view import authorised_item
from tests.core.helpers import DISPATCHER, FIXTURES, deploy_two_step, two_step_bundle

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
