"""Each role is refused, nothing changed, on another department's or grid cell's task, UI and API: 404 for a
task they may not see (nobody learns what exists outside their scope), 403 for one they see but may not work."""
from __future__ import annotations

import pytest
from webtools import audit_count, bearer, open_item, page_csrf, signed_in, start_report


def _claim_via_api(app, web_db, username, item_id):
    return app.test_client().post(f"/api/v1/tasks/{item_id}/claim", headers=bearer(web_db, username))


def _claim_via_ui(app, username, item_id):
    client = signed_in(app, username)
    return client.post(f"/tasks/{item_id}/claim", data={"csrf_token": page_csrf(client, "/")})


# The supervisor, and gw1 whose grid cell the case is in, see the task (403); the others do not (404).
@pytest.mark.parametrize(("username", "refusal"), [("h_hw", 404), ("gw1", 403), ("gw2", 404), ("sup", 403),
                                                   ("ana", 404)])
@pytest.mark.parametrize("channel", ["api", "ui"])
def test_only_the_routed_department_may_claim_a_handling_task(app, web_db, username, refusal, channel):
    case_id = start_report(web_db, department="chengguan")
    item = open_item(web_db, case_id)
    events = audit_count(web_db, case_id)
    response = (_claim_via_api(app, web_db, username, item.id) if channel == "api"
                else _claim_via_ui(app, username, item.id))
    assert response.status_code == refusal
    after = open_item(web_db, case_id)
    assert after.assignee is None and after.status == "open"
    assert audit_count(web_db, case_id) == events


def _to_verification(app, web_db, grid_cell="S01C01G01") -> str:
    case_id = start_report(web_db, department="chengguan", grid_cell=grid_cell)
    item = open_item(web_db, case_id)
    headers = bearer(web_db, "h_cg")
    client = app.test_client()
    assert client.post(f"/api/v1/tasks/{item.id}/claim", headers=headers).status_code == 200
    done = client.post(f"/api/v1/tasks/{item.id}/complete", headers=headers,
                       json={"data": {"result": "lamp replaced", "hours": 2}})
    assert done.status_code == 200, done.get_json()
    verify = open_item(web_db, case_id)
    assert verify.grid_cell == grid_cell
    return verify.id


@pytest.mark.parametrize("channel", ["api", "ui"])
def test_a_grid_worker_of_another_cell_may_not_verify(app, web_db, channel):
    item_id = _to_verification(app, web_db, "S01C01G01")
    if channel == "api":
        client = app.test_client()
        headers = bearer(web_db, "gw2")
        assert client.get(f"/api/v1/tasks/{item_id}", headers=headers).status_code == 404
        assert client.post(f"/api/v1/tasks/{item_id}/claim", headers=headers).status_code == 404
        response = client.post(f"/api/v1/tasks/{item_id}/complete", headers=headers, json={"data": {"solved": True}})
    else:
        client = signed_in(app, "gw2")
        assert client.get(f"/tasks/{item_id}").status_code == 404
        response = client.post(f"/tasks/{item_id}/complete",
                               data={"csrf_token": page_csrf(client, "/"), "solved": "on"})
    assert response.status_code == 404
    from webtools import open_item as reload

    assert reload(web_db, _case_of(web_db, item_id)).id == item_id  # still open, nobody assigned


def _case_of(web_db, item_id):
    from engine.store.models.tasks import WorkItem

    with web_db.transaction(readonly=True) as session:
        return session.get(WorkItem, item_id).case_id


def test_the_grid_worker_of_the_cell_verifies_through_the_ui(app, web_db):
    item_id = _to_verification(app, web_db, "S01C01G01")
    client = signed_in(app, "gw1")
    token = page_csrf(client, "/")
    assert client.post(f"/tasks/{item_id}/claim", data={"csrf_token": token}).status_code == 302
    response = client.post(f"/tasks/{item_id}/complete", data={"csrf_token": token, "solved": "on"})
    assert response.status_code == 302
    from engine.store.models.cases import Case

    with web_db.transaction(readonly=True) as session:
        assert session.get(Case, _case_of(web_db, item_id)).status == "completed"


def test_a_handler_may_not_complete_a_task_claimed_by_a_colleague(app, web_db):
    case_id = start_report(web_db)
    item = open_item(web_db, case_id)
    client = app.test_client()
    assert client.post(f"/api/v1/tasks/{item.id}/claim", headers=bearer(web_db, "h_cg")).status_code == 200
    response = client.post(f"/api/v1/tasks/{item.id}/complete", headers=bearer(web_db, "h_cg2"),
                           json={"data": {"result": "done it", "hours": 1}})
    assert response.status_code == 403
    assert open_item(web_db, case_id).assignee == "h_cg"


def test_a_supervisor_sees_every_task_and_case_but_cannot_work_them(app, web_db):
    case_id = start_report(web_db)
    item = open_item(web_db, case_id)
    headers = bearer(web_db, "sup")
    client = app.test_client()
    assert client.get(f"/api/v1/tasks/{item.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/tasks/{item.id}/claim", headers=headers).status_code == 403


def test_a_handler_of_another_department_cannot_see_the_case(app, web_db):
    case_id = start_report(web_db, department="chengguan")
    client = app.test_client()
    assert client.get(f"/api/v1/cases/{case_id}", headers=bearer(web_db, "h_hw")).status_code == 404
    listed = client.get("/api/v1/cases", headers=bearer(web_db, "h_hw")).get_json()
    assert case_id not in [c["id"] for c in listed["items"]]
    assert signed_in(app, "h_hw").get(f"/cases/{case_id}").status_code == 404


def test_only_analysts_deploy_and_only_lane_roles_start(app, web_db):
    client = app.test_client()
    files = {"forms/x_note.json": "{}"}
    assert client.post("/api/v1/definitions", json={"files": files}, headers=bearer(web_db, "h_cg")).status_code == 403
    assert client.post("/api/v1/definitions/validate", json={"files": files},
                       headers=bearer(web_db, "ana")).status_code == 200
    start = {"process_key": "web_flow", "data": {"title": "Pothole", "grid_cell": "S01C01G01",
                                                  "responsible_department": "huanwei"}}
    assert client.post("/api/v1/cases", json=start, headers=bearer(web_db, "h_cg")).status_code == 403
    created = client.post("/api/v1/cases", json=start, headers=bearer(web_db, "gw1"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["tasks"][0]["department"] == "huanwei"
