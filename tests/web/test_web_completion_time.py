"""The feedback form's 完成时间 lies between the case's report and now: refused beside the field, in Chinese,
with what was typed kept and nothing changed; a time in range completes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import audit_count, csrf_from, login

from engine.config import settings
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from tests.social_event.helpers import claimed_feedback, only_item


@pytest.fixture
def feedback(web_db: Database) -> WorkItem:
    return claimed_feedback(web_db)


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "huanwei_h1", "demo1234").status_code == 302
    return client


def _post(client: FlaskClient, item: WorkItem, handled_on: str) -> Any:
    page = client.get(f"/tasks/{item.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "result_summary": "已清运全部垃圾", "handled_on": handled_on}
    return client.post(f"/tasks/{item.id}/complete", data=data)


def _case(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def _local(moment: datetime) -> str:
    return moment.astimezone(settings().tz).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(("typed", "message"), [
    ("1900-01-01T08:00", "完成时间不能早于案件上报时间"),
    ("2000-01-01T08:00", "完成时间不能早于案件上报时间"),
    ("9999-12-31T23:59", "完成时间不能晚于当前时间"),
])
def test_a_completion_time_outside_report_to_now_is_refused_beside_the_field_and_nothing_changes(
        app, web_db, feedback, typed, message):
    audits = audit_count(web_db, feedback.case_id)
    response = _post(_client(app), feedback, typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert f'value="{typed}"' in html  # what was typed is kept, not shifted by the zone's old offsets
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits
    assert "handled_on" not in _case(web_db, feedback.case_id).data


def test_a_completion_time_between_report_and_now_within_clock_skew_completes(app, web_db, feedback):
    typed = _local(datetime.now(UTC) + timedelta(minutes=2))  # a phone a little ahead of the server
    response = _post(_client(app), feedback, typed)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _case(web_db, feedback.case_id).data["handled_on"]
    assert stored.startswith(typed) and stored.endswith("+08:00")
