"""Searching cases and tasks matches the text as typed: `%` and `_` are characters, not wildcards."""
from __future__ import annotations

from engine.cases.access import CaseFilter, case_query
from engine.cases.service import start_case
from engine.org.access import system_actor
from engine.store.database import Database
from engine.tasks.queries import TaskFilter, task_query
from tests.incidents.helpers import REVIEW, deploy_nap, user_steps_bpmn

TITLES = ["降价50%促销", "a_b 路灯", "ab 路灯", "普通井盖"]


def _deploy_and_start(db: Database) -> None:
    tally = ('<bpmn:scriptTask id="tally" name="打分"><bpmn:incoming>{incoming}</bpmn:incoming>'
             '<bpmn:outgoing>{outgoing}</bpmn:outgoing><bpmn:script>total = 1</bpmn:script></bpmn:scriptTask>')
    deploy_nap(db, user_steps_bpmn("plain", tally, REVIEW))
    with db.transaction() as session:
        for title in TITLES:
            start_case(session, "plain", {"title": title}, system_actor())


def test_case_and_task_search_treat_percent_and_underscore_literally(db: Database) -> None:
    _deploy_and_start(db)
    with db.transaction(readonly=True) as session:
        def cases(text: str) -> list[str]:
            return sorted(c.title for c in session.scalars(case_query(system_actor(), CaseFilter(text=text))))

        def tasks(text: str) -> int:
            return len(list(session.scalars(task_query(system_actor(), TaskFilter(scope="all", text=text)))))

        assert cases("%") == ["降价50%促销"]
        assert cases("_") == ["a_b 路灯"]
        assert cases("a_b") == ["a_b 路灯"]
        assert cases("路灯") == ["a_b 路灯", "ab 路灯"]
        assert tasks("%") == 1 and tasks("_") == 1 and tasks("\\") == 0
