"""No button that always fails: each action appears once, where the process defines it, and only when it
can succeed for this task (the social-event process of the demo, its users as rules/demo_users.yaml has them)."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import csrf_from, login

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


def _dispatched(db: Database) -> int:
    """The hotline's report registered and dispatched to 环卫 (huanwei): 签收处置 is open."""
    with db.transaction() as session:
        case_id = start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id
    act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(db, only_item(db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    return case_id


@pytest.fixture
def handle(web_db: Database) -> WorkItem:
    item = only_item(web_db, _dispatched(web_db), "handle")
    with web_db.transaction() as session:
        claim(session, actor_for(session, "huanwei_h1"), item.id)
    return item


@pytest.fixture
def review(web_db: Database) -> WorkItem:
    """huanwei_h1 asked for two more working days through 签收处置's own form: 延期审批 is open."""
    case_id = _dispatched(web_db)
    act(web_db, only_item(web_db, case_id, "handle").id, "huanwei_h1",
        {"handle_decision": "extension", "extension_value": 2, "extension_unit": "working_days",
         "extension_reason": "需协调产权单位，无法按期完成"})
    return only_item(web_db, case_id, "review_extension")


def test_a_task_whose_form_offers_return_and_extension_offers_neither_beside_it(app, handle):
    page = _client(app, "huanwei_h1").get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert 'name="handle_decision" value="return"' in page and 'name="handle_decision" value="extension"' in page
    assert f'action="/tasks/{handle.id}/return"' not in page
    assert f'action="/tasks/{handle.id}/extension"' not in page


def test_every_action_form_on_a_task_page_has_a_handler_that_accepts_it(app, handle):
    """What the page still offers beside the form (release, transfer) succeeds when posted."""
    client = _client(app, "huanwei_h1")
    page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
    actions = set(re.findall(rf'action="/tasks/{handle.id}/(\w+)"', page))
    assert actions == {"complete", "unclaim", "transfer"}


def test_the_dashboard_sends_a_supervisor_to_the_review_step_for_a_request_asked_in_the_form(app, web_db, review):
    client = _client(app, "supervisor1")
    html = client.get("/dashboard").get_data(as_text=True)
    row = html[html.index("data-extension="):]
    row = row[:row.index("</tr>")]
    assert "/dashboard/extensions/" not in row  # no 批准/驳回 that the engine refuses
    assert f'href="/tasks/{review.id}"' in row and "去延期审批" in row
    assert client.get(f"/tasks/{review.id}").status_code == 200


def test_a_department_head_is_told_where_the_request_is_decided_not_sent_to_a_step_they_may_not_take(
        app, web_db, review):
    """The head sees the case (their department's) and so the review step, but 延期审批 is the supervisors'
    lane: a 去延期审批 link led to a page with nothing to do."""
    client = _client(app, "huanwei_head")
    html = client.get("/dashboard").get_data(as_text=True)
    row = html[html.index("data-extension="):]
    row = row[:row.index("</tr>")]
    assert "/dashboard/extensions/" not in row
    assert f"/tasks/{review.id}" not in row and "去延期审批" not in row
    assert "在流程的「延期审批」步骤中审批" in row


def test_a_decision_step_is_offered_to_decide_only_to_those_who_may_take_it(app, web_db, review):
    """The administrator oversees every deciding lane and sees the step listed, but only the lane's role
    (督办员) claims it: the row says who decides instead of a 处理 button to a page without a form."""
    supervisor = _client(app, "supervisor1").get("/dashboard").get_data(as_text=True)
    admin = _client(app, "admin").get("/dashboard").get_data(as_text=True)

    def row(html: str) -> str:
        tasks = html[html.index('id="cg-decision-tasks"'):]
        found = tasks[tasks.index(f'data-step="{review.task_spec}"'):]
        return found[:found.index("</tr>")]

    assert f'href="/tasks/{review.id}"' in row(supervisor) and ">处理</a>" in row(supervisor)
    assert f'href="/tasks/{review.id}"' not in row(admin)
    assert "由督办员决定" in row(admin)


@pytest.mark.parametrize(("reason", "told"), [("   ", "请填写理由。"), ("长" * 5000, "理由不能超过 1000 字。")],
                         ids=["blank", "too_long"])
def test_a_refused_transfer_says_what_was_wrong_with_the_reason_and_moves_nothing(app, web_db, handle, reason, told):
    """After the redirect no field is marked, so the message itself must name the fault."""
    client = _client(app, "huanwei_h1")
    token = csrf_from(client.get(f"/tasks/{handle.id}").get_data(as_text=True))
    response = client.post(f"/tasks/{handle.id}/transfer", follow_redirects=True,
                           data={"csrf_token": token, "to_user": "huanwei_h2", "reason": reason})
    assert response.status_code == 200
    assert told in response.get_data(as_text=True)
    with web_db.transaction(readonly=True) as session:
        assert session.get(WorkItem, handle.id).assignee == "huanwei_h1"


def test_a_task_offered_to_a_role_names_that_role_where_department_and_grid_would_be(app, web_db):
    """The register step belongs to no department or grid; an empty cell left the dispatcher guessing who holds it."""
    with web_db.transaction() as session:
        case_id = start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id
    register = only_item(web_db, case_id, "register")
    client = _client(app, "dispatcher1")
    for page in (client.get("/?view=candidate"), client.get(f"/cases/{case_id}")):
        html = page.get_data(as_text=True)
        row = html[html.index(register.task_name if "/cases/" in page.request.path else register.id):]
        cell = re.search(r'<td data-label="部门 / 网格">([^<]*)</td>', row)
        assert cell and cell.group(1) == "受理派遣员"


def test_urging_says_who_was_told_the_holders_of_the_open_steps_not_the_cases_department(app, web_db, review):
    """The case is 环卫's, but it waits in the supervisors' own 延期审批: the urging went to them, and the
    flash said 已通知案件承办人员（环境卫生管理处）."""
    client = _client(app, "supervisor1")
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    done = client.post(f"/dashboard/cases/{review.case_id}/urge", follow_redirects=True,
                       data={"csrf_token": token, "message": "请今日内审批", "next": "/dashboard"})
    page = done.get_data(as_text=True)
    assert "已督办：已通知督办员（延期审批）。" in page
    assert "环境卫生管理处）。" not in page
