"""Only the routed department's handlers and the case's grid worker see and work its tasks."""
from __future__ import annotations

import pytest

from engine.commands.authorise import visible_task
from engine.commands.tasks import claim, complete
from engine.errors import Forbidden, NotFound
from engine.org.service import actor_for
from engine.store.database import Database
from engine.tasks.queries import TaskFilter, list_tasks

from .helpers import act, actions, case_row, only_item, start


def _at_handle(db: Database) -> tuple[int, str]:
    case_id = start(db)  # 0102 in S03 -> huanwei
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    return case_id, only_item(db, case_id, "handle").id


def _candidates(db: Database, username: str) -> set[str]:
    with db.transaction(readonly=True) as session:
        items, _total = list_tasks(session, actor_for(session, username), TaskFilter(scope="candidate"), limit=200)
        return {i.id for i in items}


def test_a_handler_of_another_department_cannot_see_or_complete_the_task_and_nothing_changes(
        deployed_db: Database) -> None:
    case_id, item_id = _at_handle(deployed_db)
    before_version, before_trail = case_row(deployed_db, case_id).version, actions(deployed_db, case_id)
    assert item_id in _candidates(deployed_db, "huanwei_h2")
    assert item_id not in _candidates(deployed_db, "chengguan_h1")
    with pytest.raises(NotFound, match="does not exist"), deployed_db.transaction() as session:
        visible_task(session, actor_for(session, "chengguan_h1"), item_id)
    with pytest.raises(NotFound), deployed_db.transaction() as session:
        complete(session, actor_for(session, "chengguan_h1"), item_id, {"handle_decision": "accept"})
    with pytest.raises(NotFound), deployed_db.transaction() as session:
        claim(session, actor_for(session, "chengguan_h1"), item_id)
    assert case_row(deployed_db, case_id).version == before_version
    assert actions(deployed_db, case_id) == before_trail
    assert only_item(deployed_db, case_id, "handle").assignee is None


def test_a_grid_worker_of_another_grid_cell_cannot_see_or_verify_and_nothing_changes(deployed_db: Database) -> None:
    db = deployed_db
    case_id, item_id = _at_handle(db)
    act(db, item_id, "huanwei_h1", {"handle_decision": "accept"})
    act(db, only_item(db, case_id, "feedback").id, "huanwei_h1", {"result_summary": "已清运全部垃圾"})
    verify = only_item(db, case_id, "verify")
    before_version, before_trail = case_row(db, case_id).version, actions(db, case_id)
    assert verify.id in _candidates(db, "gw_s03c01g01")
    # Other cells' grid workers may not see the case (404); the handler who worked it sees it but may
    # not verify their own work (403).
    for outsider, refusal in (("gw_s03c01g02", NotFound), ("gw_s01c01g01", NotFound), ("huanwei_h1", Forbidden)):
        assert verify.id not in _candidates(db, outsider)
        with pytest.raises(refusal), db.transaction() as session:
            complete(session, actor_for(session, outsider), verify.id, {"verify_result": "solved"})
    assert case_row(db, case_id).version == before_version
    assert actions(db, case_id) == before_trail
    act(db, verify.id, "gw_s03c01g01", {"verify_result": "solved"})


def test_a_department_head_sees_the_departments_task_and_a_supervisor_sees_every_task(deployed_db: Database) -> None:
    _case_id, item_id = _at_handle(deployed_db)
    with deployed_db.transaction(readonly=True) as session:
        assert visible_task(session, actor_for(session, "huanwei_head"), item_id).id == item_id
        assert visible_task(session, actor_for(session, "supervisor1"), item_id).id == item_id
        with pytest.raises(NotFound):
            visible_task(session, actor_for(session, "shizheng_head"), item_id)


def test_a_time_limit_notice_for_a_grid_cells_task_goes_only_to_who_can_open_it(deployed_db: Database) -> None:
    """The old rule sent it to every grid worker of the district; the others got a 404 when they opened it."""
    from engine.org.access import may_see_task
    from engine.sla.notify import recipients_for_item
    from engine.store.models.tasks import WorkItem

    db = deployed_db
    case_id, item_id = _at_handle(db)
    act(db, item_id, "huanwei_h1", {"handle_decision": "accept"})
    act(db, only_item(db, case_id, "feedback").id, "huanwei_h1", {"result_summary": "已清运全部垃圾"})
    verify = only_item(db, case_id, "verify")
    with db.transaction(readonly=True) as session:
        recipients = recipients_for_item(session, session.get(WorkItem, verify.id))
        assert recipients == ["gw_s03c01g01"]
        assert all(may_see_task(session, actor_for(session, user), verify.id) for user in recipients)
