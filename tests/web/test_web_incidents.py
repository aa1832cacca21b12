"""Incidents through the web: the API, the operator page's buttons, the dashboard, the case page and list,
and failed user actions recorded while the user gets 422 and nothing changes."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select
from webtools import bearer, page_csrf, signed_in

from engine.commands.timers import fire_due
from engine.store.models.tasks import WorkItem
from tests.incidents.helpers import (
    FAILS_ON_COMPLETE,
    FAILS_ON_START,
    FIXED,
    RAISING,
    case_row,
    deploy_nap,
    incidents_of,
    migrate_to,
    start_nap,
)


def _stuck_case(web_db) -> tuple[int, int]:
    """A case whose timer fired and whose next step raised. Real time (a one-second nap), not a travelling
    clock: a retry must find the timer due, and a travelling clock would expire the signed-in session."""
    deploy_nap(web_db, RAISING)
    case_id = start_nap(web_db, wake_in=timedelta(seconds=1))
    time.sleep(1.2)
    assert fire_due(web_db, "w1") == 1
    [incident] = incidents_of(web_db, case_id)
    return case_id, incident.id


def test_an_incident_is_listed_by_the_api_for_operators_and_refused_to_others(client, web_db):
    case_id, incident_id = _stuck_case(web_db)
    listed = client.get("/api/v1/incidents?status=open", headers=bearer(web_db, "sup"))
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 1
    row = body["items"][0]
    assert row["id"] == incident_id and row["case_id"] == case_id and row["element"] == "count"
    assert row["kind"] == "script" and row["blocking"] and row["retryable"] and "wakes" in row["error"]
    assert client.get("/api/v1/incidents", headers=bearer(web_db, "h_cg")).status_code == 403
    detail = client.get(f"/api/v1/cases/{case_id}", headers=bearer(web_db, "adm")).get_json()
    assert detail["open_incidents"] == 1 and detail["incidents"][0]["id"] == incident_id


def test_api_retry_refuses_non_operators_404s_unknown_ids_resolves_after_a_fix_then_409s(client, web_db):
    case_id, incident_id = _stuck_case(web_db)
    assert client.post(f"/api/v1/incidents/{incident_id}/retry", headers=bearer(web_db, "sup")).status_code == 403
    assert client.post("/api/v1/incidents/999999/retry", headers=bearer(web_db, "adm")).status_code == 404
    failed = client.post(f"/api/v1/incidents/{incident_id}/retry", headers=bearer(web_db, "ana"))
    assert failed.status_code == 422
    assert failed.get_json()["error"]["code"] == "retry_failed"
    assert incidents_of(web_db, case_id)[0].attempts == 2  # recorded though the answer is an error

    fixed = deploy_nap(web_db, FIXED)
    migrations = "/api/v1/definitions/nap/migrations"
    assert client.post(migrations, json={"from": 1, "to": 2}, headers=bearer(web_db, "sup")).status_code == 403
    planned = client.post(migrations, json={"from": 1, "to": 2}, headers=bearer(web_db, "ana"))
    assert planned.status_code == 200 and planned.get_json()["dry_run"] and planned.get_json()["movable"] == 1
    assert case_row(web_db, case_id).process_version_id != fixed
    moved = client.post(migrations, json={"from": 1, "to": 2, "dry_run": False}, headers=bearer(web_db, "ana"))
    assert moved.status_code == 200, moved.get_json()
    assert [c["case_id"] for c in moved.get_json()["cases"] if c["movable"]] == [case_id]
    assert case_row(web_db, case_id).process_version_id == fixed
    retried = client.post(f"/api/v1/incidents/{incident_id}/retry", headers=bearer(web_db, "ana"))
    assert retried.status_code == 200 and retried.get_json()["status"] == "resolved"
    assert case_row(web_db, case_id).open_incidents == 0
    again = client.post(f"/api/v1/incidents/{incident_id}/retry", headers=bearer(web_db, "ana"))
    assert again.status_code == 409


def test_the_dashboard_counts_open_incidents_and_the_case_page_and_list_say_has_incident(app, web_db):
    case_id, _incident_id = _stuck_case(web_db)
    supervisor = signed_in(app, "sup")
    dashboard = supervisor.get("/dashboard").get_data(as_text=True)
    assert 'data-kpi="incidents">1<' in dashboard and "无法推进的案件" in dashboard
    admin = signed_in(app, "adm")
    page = admin.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "有异常" in page and "wakes" in page and 'id="cg-case-incidents"' in page
    listing = admin.get("/cases?status=running").get_data(as_text=True)
    assert "有异常" in listing
    assert "异常" in admin.get("/inbox").get_data(as_text=True)  # the nav links the operator page


def test_the_operator_page_retry_button_moves_the_case_on(app, web_db):
    case_id, incident_id = _stuck_case(web_db)
    migrate_to(web_db, case_id, deploy_nap(web_db, FIXED))
    supervisor_page = signed_in(app, "sup").get("/incidents").get_data(as_text=True)
    assert f'data-incident="{incident_id}"' in supervisor_page and 'data-action="retry"' not in supervisor_page
    admin = signed_in(app, "adm")
    page = admin.get("/incidents").get_data(as_text=True)
    assert f'data-incident="{incident_id}"' in page and 'data-action="retry"' in page and "重试" in page
    response = admin.post(f"/incidents/{incident_id}/retry",
                          data={"csrf_token": page_csrf(admin, "/incidents"), "next": "/incidents"})
    assert response.status_code == 302
    assert "异常已解决" in admin.get("/incidents").get_data(as_text=True)
    assert case_row(web_db, case_id).data["wakes"] == 1


def test_a_failing_user_action_answers_422_changes_nothing_and_is_recorded_per_step(client, web_db):
    deploy_nap(web_db, FAILS_ON_COMPLETE)
    from engine.cases.service import start_case
    from engine.org.access import system_actor

    with web_db.transaction() as session:
        case_id = start_case(session, "tally_after", {"title": "t"}, system_actor()).id
        item_id = session.scalars(select(WorkItem.id).where(WorkItem.case_id == case_id)).one()
    headers = bearer(web_db, "h_cg")
    assert client.post(f"/api/v1/tasks/{item_id}/claim", headers=headers).status_code == 200
    version = case_row(web_db, case_id).version
    for _ in range(2):
        answer = client.post(f"/api/v1/tasks/{item_id}/complete", json={"data": {"ok": True}}, headers=headers)
        assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "script_failed"

    case = case_row(web_db, case_id)
    assert case.version == version and case.status == "running" and case.open_incidents == 0
    with web_db.transaction(readonly=True) as session:
        assert session.get(WorkItem, item_id).status == "open"
    [recorded] = incidents_of(web_db, case_id)
    assert recorded.kind == "user_action" and recorded.element == "tally" and recorded.attempts == 2
    assert recorded.raised_by == "h_cg" and "missing" in recorded.error
    listed = client.get("/api/v1/incidents?blocking=false", headers=bearer(web_db, "adm")).get_json()
    assert [row["id"] for row in listed["items"]] == [recorded.id] and not listed["items"][0]["retryable"]


def test_a_failing_start_is_recorded_against_its_process(client, web_db):
    deploy_nap(web_db, FAILS_ON_START)
    answer = client.post("/api/v1/cases", json={"process_key": "tally_first", "data": {"title": "t"}},
                         headers=bearer(web_db, "adm"))
    assert answer.status_code == 422
    listed = client.get("/api/v1/incidents?blocking=false", headers=bearer(web_db, "adm")).get_json()
    [row] = listed["items"]
    assert row["case_id"] is None and row["process_key"] == "tally_first" and row["element"] == "tally"
