"""The handler of a 私搭乱建 case (0101, a staged time limit) marks a stage done on the task page or through
POST /api/v1/tasks/<id>/stage: CSRF-protected, only for whoever may work the task, zh by default."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webtools import bearer, csrf_from, login

from engine.cases.service import start_case
from engine.commands.tasks import claim
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.sla import SlaClock
from engine.store.models.tasks import WorkItem
from tests.social_event.helpers import act, only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
SH = ZoneInfo("Asia/Shanghai")
STRUCTURE = {"title": "城东社区楼顶私搭乱建", "category": "0101", "grid_cell": "S03C03G02",
             "address": "城东社区东门北路28栋天台", "description": "天台新搭建彩钢棚约30平方米",
             "report_channel": "grid_worker"}




def _stages(db: Database, item_id: str) -> list[str | None]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(SlaClock.stage_name).where(SlaClock.work_item_id == item_id)
                                    .order_by(SlaClock.id)))


@pytest.fixture
def handle(web_db: Database) -> WorkItem:
    """A 私搭乱建 case dispatched to the street office of S03, its handle task claimed by jd_s03_h1."""
    with web_db.transaction() as session:
        case_id = start_case(session, "social_event", STRUCTURE, actor_for(session, "dispatcher1")).id
    act(web_db, only_item(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    act(web_db, only_item(web_db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    item = only_item(web_db, case_id, "handle")
    with web_db.transaction() as session:
        claim(session, actor_for(session, "jd_s03_h1"), item.id)
    return item


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def test_the_task_page_shows_the_current_stage_and_a_form_to_mark_it_done(app, handle):
    page = _client(app, "jd_s03_h1").get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert "第 1/3 阶段：停工" in page
    assert f'action="/tasks/{handle.id}/stage"' in page and "停工已完成" in page
    assert "确认后开始下一阶段：处罚。" in page


def test_the_handler_marks_stop_work_done_and_the_penalty_stage_starts(app, web_db, handle):
    with time_machine.travel(datetime(2026, 10, 12, 11, 0, tzinfo=SH), tick=False):
        client = _client(app, "jd_s03_h1")
        page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
        response = client.post(f"/tasks/{handle.id}/stage", data={"csrf_token": csrf_from(page), "note": "已责令停工"})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{handle.id}")
        page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert _stages(web_db, handle.id) == ["停工", "处罚"]
    assert "本阶段已完成。下一阶段“处罚”期限至 2026-10-21 11:00。" in page  # 7 working days
    assert "第 2/3 阶段：处罚" in page


def test_marking_a_stage_done_needs_the_csrf_token(app, web_db, handle):
    response = _client(app, "jd_s03_h1").post(f"/tasks/{handle.id}/stage", data={"note": ""})
    assert response.status_code == 400
    assert _stages(web_db, handle.id) == ["停工"]


def test_a_colleague_who_may_not_work_the_claimed_task_is_refused(app, web_db, handle):
    client = _client(app, "jd_s03_h2")
    page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert f'action="/tasks/{handle.id}/stage"' not in page
    response = client.post(f"/tasks/{handle.id}/stage", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 403
    assert _stages(web_db, handle.id) == ["停工"]


def test_the_last_stage_offers_no_button_and_a_post_is_refused_with_the_reason(app, web_db, handle):
    client = _client(app, "jd_s03_h1")
    for _ in range(2):
        page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
        assert client.post(f"/tasks/{handle.id}/stage", data={"csrf_token": csrf_from(page)}).status_code == 302
    page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert "已是最后阶段：提交任务即结束时限。" in page and f'action="/tasks/{handle.id}/stage"' not in page
    response = client.post(f"/tasks/{handle.id}/stage", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "「拆除」是最后一个阶段：办理完成本任务即结束时限。" in response.get_data(as_text=True)
    assert _stages(web_db, handle.id) == ["停工", "处罚", "拆除"]


def test_the_page_speaks_english_on_request(app, handle):
    client = _client(app, "jd_s03_h1")
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.get(f"/tasks/{handle.id}").get_data(as_text=True)
    assert "Stage 1 of 3: 停工" in page and "停工 done" in page


def test_the_api_marks_a_stage_done_and_the_task_detail_shows_the_stage(app, web_db, handle):
    client = app.test_client()
    headers = bearer(web_db, "jd_s03_h1")
    detail = client.get(f"/api/v1/tasks/{handle.id}", headers=headers).get_json()
    assert (detail["stage"]["number"], detail["stage"]["name"], detail["stage"]["next_name"]) == (1, "停工", "处罚")
    response = client.post(f"/api/v1/tasks/{handle.id}/stage", json={"note": "已责令停工"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["stage"]["number"], body["stage"]["name"], body["stage"]["count"]) == (2, "处罚", 3)
    assert body["task"]["due_at"] == body["stage"]["due_at"]
    client.post(f"/api/v1/tasks/{handle.id}/stage", json={}, headers=headers)
    refused = client.post(f"/api/v1/tasks/{handle.id}/stage", json={}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "conflict"
    other = client.post(f"/api/v1/tasks/{handle.id}/stage", json={}, headers=bearer(web_db, "jd_s03_h2"))
    assert other.status_code == 403
    assert _stages(web_db, handle.id) == ["停工", "处罚", "拆除"]


def test_a_task_without_a_staged_limit_shows_no_stage(app, web_db):
    with web_db.transaction() as session:
        case_id = start_case(session, "social_event", {**STRUCTURE, "category": "0102"},
                             actor_for(session, "dispatcher1")).id
    act(web_db, only_item(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    item = only_item(web_db, case_id, "dispatch")
    headers = bearer(web_db, "dispatcher1")
    assert app.test_client().get(f"/api/v1/tasks/{item.id}", headers=headers).get_json()["stage"] is None
    refused = app.test_client().post(f"/api/v1/tasks/{item.id}/stage", json={}, headers=headers)
    assert refused.status_code == 409


def test_a_rework_after_a_failed_verification_shows_and_advances_the_stage_the_handling_left_open(
        app, web_db, handle):
    client = app.test_client()
    headers = bearer(web_db, "jd_s03_h1")
    stopped = client.post(f"/api/v1/tasks/{handle.id}/stage", json={"note": "已责令停工"}, headers=headers)
    assert stopped.status_code == 200
    act(web_db, handle.id, "jd_s03_h1", {"handle_decision": "accept"})
    act(web_db, only_item(web_db, handle.case_id, "feedback").id, "jd_s03_h1", {"result_summary": "已下达处罚决定"})
    act(web_db, only_item(web_db, handle.case_id, "verify").id, "gw_s03c03g02",
         {"verify_result": "not_solved", "verify_note": "彩钢棚仍在"})
    rework = only_item(web_db, handle.case_id, "rework")
    detail = client.get(f"/api/v1/tasks/{rework.id}", headers=headers).get_json()
    assert (detail["stage"]["number"], detail["stage"]["name"], detail["stage"]["next_name"]) == (2, "处罚", "拆除")
    page = _client(app, "jd_s03_h1").get(f"/tasks/{rework.id}").get_data(as_text=True)
    assert "第 2/3 阶段：处罚" in page
    claimed = client.post(f"/api/v1/tasks/{rework.id}/claim", headers=headers)
    assert claimed.status_code == 200, claimed.get_json()
    body = client.post(f"/api/v1/tasks/{rework.id}/stage", json={"note": "处罚已决定"}, headers=headers).get_json()
    assert (body["stage"]["number"], body["stage"]["name"]) == (3, "拆除")
    assert _stages(web_db, rework.id) == ["处罚", "拆除"]
