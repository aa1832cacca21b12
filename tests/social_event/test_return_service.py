"""退回: a handler returns a task with a reason through the generic return service; the process's own
return path runs. Tasks that do not declare how to return refuse, and nothing changes."""
from __future__ import annotations

import pytest

from engine.commands.tasks import return_task
from engine.errors import Conflict, InvalidInput
from engine.org.service import actor_for
from engine.store.database import Database

from .helpers import act, actions, case_row, only_item, start


def _at_handle(db: Database) -> tuple[int, str]:
    case_id = start(db)  # 0102 in S03 -> huanwei
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    return case_id, only_item(db, case_id, "handle").id


def _return(db: Database, item_id: str, username: str, reason: str) -> None:
    with db.transaction() as session:
        return_task(session, actor_for(session, username), item_id, reason)


def test_returning_the_handling_task_sends_the_case_back_to_dispatch_with_the_reason(deployed_db: Database) -> None:
    case_id, item_id = _at_handle(deployed_db)
    handler = "huanwei_h1"
    _return(deployed_db, item_id, handler, "该路段属市政道路养护范围，非本单位职责")
    assert only_item(deployed_db, case_id, "dispatch")
    case = case_row(deployed_db, case_id)
    assert case.data["return_count"] == 1
    assert case.data["return_log"][0]["reason"] == "该路段属市政道路养护范围，非本单位职责"
    assert "task_completed" in actions(deployed_db, case_id)


def test_a_return_without_a_reason_is_refused_and_changes_nothing(deployed_db: Database) -> None:
    case_id, item_id = _at_handle(deployed_db)
    handler = "huanwei_h1"
    before = actions(deployed_db, case_id)
    with pytest.raises(InvalidInput):
        _return(deployed_db, item_id, handler, "   ")
    assert actions(deployed_db, case_id) == before
    assert only_item(deployed_db, case_id, "handle").id == item_id


def test_a_task_that_declares_no_return_cannot_be_returned(deployed_db: Database) -> None:
    case_id = start(deployed_db)
    item = only_item(deployed_db, case_id, "register")
    with pytest.raises(Conflict, match="cannot be returned"):
        _return(deployed_db, item.id, "dispatcher1", "not mine")
    assert only_item(deployed_db, case_id, "register").id == item.id

