"""Continue where the work continues: after a step, the person opens their next task of the case (claimed
for them when they worked the step before in the same lane), or lands in the inbox told who has the case."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from webtools import csrf_from, login, open_item, page_csrf, signed_in, start_report

from engine.cases.service import start_case
from engine.commands.tasks import claim
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.tasks import WorkItem
from tests.social_event.helpers import REPORT, act, only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _flashes(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        return " ".join(text for _kind, text in session.get("_flashes", []))


def _complete(client: FlaskClient, item: WorkItem, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(f"/tasks/{item.id}").get_data(as_text=True)
    return client.post(f"/tasks/{item.id}/complete", data={"csrf_token": csrf_from(page), **data})


def _claimed(db: Database, item: WorkItem, username: str) -> WorkItem:
    with db.transaction() as session:
        claim(session, actor_for(session, username), item.id)
    return item


def _reported(db: Database) -> int:
    with db.transaction() as session:
        return start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id


def test_the_dispatcher_who_registers_goes_straight_on_to_dispatch_it_claimed_for_them(app, web_db):
    case_id = _reported(web_db)
    client = _client(app, "dispatcher1")
    done = _complete(client, _claimed(web_db, only_item(web_db, case_id, "register"), "dispatcher1"),
                     {"register_decision": "register"})
    dispatch = only_item(web_db, case_id, "dispatch")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/tasks/{dispatch.id}")
    assert dispatch.assignee == "dispatcher1"
    assert "下一步「任务派遣」由您继续办理，已为您认领。" in _flashes(client)


def test_after_dispatching_the_inbox_says_which_department_has_the_case_now(app, web_db):
    case_id = _reported(web_db)
    act(web_db, only_item(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    client = _client(app, "dispatcher1")
    done = _complete(client, _claimed(web_db, only_item(web_db, case_id, "dispatch"), "dispatcher1"),
                     {"dispatch_choice": "accept"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    told = _flashes(client)
    assert "「任务派遣」已完成。" in told and "签收处置" in told and "现由" in told
    assert "huanwei" not in told and "handler" not in told  # names, not codes


def test_the_handler_who_accepts_goes_on_to_the_feedback_of_the_same_case(app, web_db):
    case_id = _reported(web_db)
    act(web_db, only_item(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(web_db, only_item(web_db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    client = _client(app, "huanwei_h1")
    done = _complete(client, _claimed(web_db, only_item(web_db, case_id, "handle"), "huanwei_h1"),
                     {"handle_decision": "accept"})
    feedback = only_item(web_db, case_id, "feedback")
    assert done.headers["Location"].endswith(f"/tasks/{feedback.id}") and feedback.assignee == "huanwei_h1"


def test_a_step_whose_next_task_belongs_to_others_returns_to_the_inbox_naming_them(app, web_db):
    item = open_item(web_db, start_report(web_db))
    client = signed_in(app, "h_cg")
    client.post(f"/tasks/{item.id}/claim", data={"csrf_token": page_csrf(client, "/")})
    done = _complete(client, item, {"result": "lamp fixed", "hours": "2"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    assert "「Handle」已完成。" in _flashes(client) and "（Verify）" in _flashes(client)


def test_the_last_step_says_the_case_is_closed(app, web_db):
    item = open_item(web_db, start_report(web_db))
    act(web_db, item.id, "h_cg", {"result": "lamp fixed", "hours": 2})
    verify = _claimed(web_db, open_item(web_db, item.case_id), "gw1")
    client = signed_in(app, "gw1")
    done = _complete(client, verify, {"solved": "on"})
    assert done.headers["Location"].endswith("/") and "已办结" in _flashes(client)


def test_a_report_cancelled_at_registration_is_said_to_be_cancelled_not_to_wait(app, web_db):
    """作废 at 案卷建立 ends the case cancelled; the flash said it waited for a time limit, a message or a
    linked case."""
    case_id = _reported(web_db)
    client = _client(app, "dispatcher1")
    done = _complete(client, _claimed(web_db, only_item(web_db, case_id, "register"), "dispatcher1"),
                     {"register_decision": "cancel", "cancel_reason": "duplicate", "cancel_note": "与已立案件重复"})
    assert done.status_code == 302 and done.location.endswith("/")
    said = _flashes(client)
    assert "案件 LH-" in said and "已撤销" in said and "等待" not in said  # as the case list words the status
