"""More time is offered beside a task only where its limit may be extended (rules/sla `extendable`): the
licensing acceptance (行政许可法 Art. 32: silence = accepted) offers none on its page or in the API, and a
request posted to either anyway is refused — in Chinese on the page — with nothing recorded."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webtools import bearer, csrf_from, login

from engine.cases.service import start_case
from engine.commands.tasks import claim
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.sla import SlaExtension
from engine.store.models.tasks import WorkItem
from tests.families.test_licensing import FOOD
from tests.social_event.helpers import claimed_feedback, only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


@pytest.fixture
def acceptance(web_db: Database) -> WorkItem:
    """A licence application at 受理审查, claimed by window1."""
    with web_db.transaction() as session:
        case_id = start_case(session, "licensing", dict(FOOD), actor_for(session, "window1")).id
    item = only_item(web_db, case_id, "accept")
    with web_db.transaction() as session:
        claim(session, actor_for(session, "window1"), item.id)
    return item


def _requests(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(SlaExtension)) or 0


def test_the_acceptance_page_offers_no_extension_and_a_direct_post_is_refused_in_chinese(app, web_db, acceptance):
    client = _client(app, "window1")
    page = client.get(f"/tasks/{acceptance.id}").get_data(as_text=True)
    assert acceptance.due_at is not None  # a limit runs on it: it is the rule, not a missing clock, that says no
    assert f'action="/tasks/{acceptance.id}/extension"' not in page
    response = client.post(f"/tasks/{acceptance.id}/extension", follow_redirects=True,
                           data={"csrf_token": csrf_from(page), "amount": "3", "unit": "working_days",
                                 "reason": "材料较多，需要更多时间"})
    assert response.status_code == 200
    assert "任务「受理审查」的办理期限依规定不能延长，不能申请延期。" in response.get_data(as_text=True)
    assert _requests(web_db) == 0
    with web_db.transaction(readonly=True) as session:
        assert session.get(WorkItem, acceptance.id).due_at == acceptance.due_at


def test_the_api_offers_no_extension_on_acceptance_and_refuses_one_posted_with_409(app, web_db, acceptance):
    api, headers = app.test_client(), bearer(web_db, "window1")
    detail = api.get(f"/api/v1/tasks/{acceptance.id}", headers=headers)
    assert detail.status_code == 200 and detail.get_json()["extension"] is None
    refused = api.post(f"/api/v1/tasks/{acceptance.id}/extension", headers=headers,
                       json={"amount": 3, "unit": "working_days", "reason": "材料较多"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "conflict"
    assert _requests(web_db) == 0


def test_the_api_offers_an_extension_where_the_limit_is_extendable(app, web_db):
    """The social event's disposal limit is extendable (DOMAIN.md: a unit may ask for 延期): 处置反馈 offers it."""
    feedback = claimed_feedback(web_db)
    detail = app.test_client().get(f"/api/v1/tasks/{feedback.id}", headers=bearer(web_db, "huanwei_h1")).get_json()
    assert detail["extension"] is not None and detail["extension"]["pending"] is False
