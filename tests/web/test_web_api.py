"""The REST API: one JSON error shape on every status, pagination on lists, the OpenAPI document."""
from __future__ import annotations

import pytest
from webtools import bearer, open_item, start_report


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def api(app):
    return app.test_client()


def test_errors_on_every_status_share_one_shape(app, api, web_db):
    headers = bearer(web_db, "h_cg")
    _error(api.get("/api/v1/tasks"), 401, "unauthorized")
    _error(api.get("/api/v1/tasks/nope", headers=headers), 404, "not_found")
    _error(api.get("/api/v1/cases/999999", headers=headers), 404, "not_found")
    _error(api.delete("/api/v1/tasks", headers=headers), 405, "method_not_allowed")
    _error(api.get("/api/v1/no-such-thing", headers=headers), 404, "not_found")
    _error(api.post("/api/v1/definitions", json={"files": {"forms/a.json": "{}"}}, headers=headers), 403, "forbidden")
    bad_json = api.post("/api/v1/cases", data="{not json", headers={**headers, "Content-Type": "application/json"})
    assert bad_json.status_code in (400, 422)
    _error(bad_json, bad_json.status_code)


def test_invalid_fields_give_422_with_field_errors(api, web_db):
    headers = bearer(web_db, "gw1")
    missing = _error(api.post("/api/v1/cases", json={"data": {}}, headers=headers), 422, "invalid_input")
    assert "process_key" in missing["details"]
    form = _error(api.post("/api/v1/cases", json={"process_key": "web_flow", "data": {"title": "x"}},
                           headers=headers), 422, "invalid_input")
    assert {"title", "grid_cell", "responsible_department"} <= set(form["details"])
    query = _error(api.get("/api/v1/tasks?limit=0", headers=headers), 422, "invalid_input")
    assert "limit" in query["details"]


def test_completing_a_task_twice_is_a_409_conflict(api, web_db):
    item = open_item(web_db, start_report(web_db))
    headers = bearer(web_db, "h_cg")
    body = {"data": {"result": "swept clean", "hours": 1}}
    assert api.post(f"/api/v1/tasks/{item.id}/claim", headers=headers).status_code == 200
    assert api.post(f"/api/v1/tasks/{item.id}/complete", json=body, headers=headers).status_code == 200
    _error(api.post(f"/api/v1/tasks/{item.id}/complete", json=body, headers=headers), 409, "conflict")


def test_a_stale_case_version_is_a_409_and_changes_nothing(api, web_db):
    item = open_item(web_db, start_report(web_db))
    headers = bearer(web_db, "h_cg")
    api.post(f"/api/v1/tasks/{item.id}/claim", headers=headers)
    stale = {"data": {"result": "swept clean", "hours": 1}, "case_version": 0}
    _error(api.post(f"/api/v1/tasks/{item.id}/complete", json=stale, headers=headers), 409, "conflict")
    assert open_item(web_db, item.case_id).id == item.id


def test_an_unexpected_failure_is_a_500_in_the_same_shape(app, web_db):
    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("kaput")

    error = _error(app.test_client().get("/api/v1/_boom", headers=bearer(web_db, "adm")), 500, "internal_error")
    assert "kaput" not in error["message"]


def test_lists_are_paginated_with_a_total(api, web_db):
    for _ in range(5):
        start_report(web_db)
    headers = bearer(web_db, "h_cg")
    first = api.get("/api/v1/tasks?scope=candidate&limit=2&offset=0", headers=headers).get_json()
    second = api.get("/api/v1/tasks?scope=candidate&limit=2&offset=2", headers=headers).get_json()
    assert first["total"] == second["total"] == 5
    assert (first["limit"], first["offset"], len(first["items"])) == (2, 0, 2)
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    cases = api.get("/api/v1/cases?limit=3", headers=bearer(web_db, "sup")).get_json()
    assert cases["total"] >= 5 and len(cases["items"]) == 3
    defs = api.get("/api/v1/definitions?limit=1", headers=headers).get_json()
    assert defs["total"] >= 2 and len(defs["items"]) == 1
    case_id = first["items"][0]["case_id"]
    audit = api.get(f"/api/v1/audit?case_id={case_id}&limit=1", headers=bearer(web_db, "sup")).get_json()
    assert audit["total"] >= 2 and len(audit["items"]) == 1


def test_case_detail_has_tasks_history_and_the_diagram_is_served(api, web_db):
    case_id = start_report(web_db)
    headers = bearer(web_db, "sup")
    detail = api.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert detail["tasks"][0]["task"] == "handle" and detail["current_elements"] == ["handle"]
    assert [e["action"] for e in detail["history"]][:1] == ["case_started"]
    xml = api.get(f"/api/v1/definitions/web_flow/versions/{detail['process_version']}/diagram", headers=headers)
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and b"web_flow" in xml.data


def test_task_detail_carries_its_form_definition(api, web_db):
    item = open_item(web_db, start_report(web_db))
    detail = api.get(f"/api/v1/tasks/{item.id}", headers=bearer(web_db, "h_cg")).get_json()
    assert detail["form_definition"]["key"] == "web_handle"
    assert detail["can_work"] is True


def test_the_sla_overview_is_for_supervisors(api, web_db):
    start_report(web_db)
    _error(api.get("/api/v1/sla/overview", headers=bearer(web_db, "gw1")), 403, "forbidden")
    overview = api.get("/api/v1/sla/overview", headers=bearer(web_db, "sup"))
    assert overview.status_code == 200
    assert any(row["key"] == "chengguan" and row["open"] >= 1 for row in overview.get_json()["items"])
    assert api.get("/api/v1/sla/overdue", headers=bearer(web_db, "sup")).get_json()["total"] == 0


def test_the_openapi_document_describes_the_api(api, web_db):
    spec = api.get("/api/v1/openapi.json", headers=bearer(web_db, "gw1")).get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/tasks", "/api/v1/cases", "/api/v1/definitions", "/api/v1/tasks/{item_id}/claim",
                 "/api/v1/sla/overview", "/api/v1/audit", "/api/v1/events"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert "error" in spec["components"]["schemas"]["Error"]["properties"]


def test_metrics_are_exposed_in_prometheus_format(api, web_db):
    start_report(web_db)
    response = api.get("/metrics", headers=bearer(web_db, "adm"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "casegrid_http_requests_total" in text and 'casegrid_open_work_items{sla_state=' in text


def test_a_write_that_loses_to_a_concurrent_writer_is_a_409_conflict_not_a_500(app, web_db):
    import psycopg
    from sqlalchemy.exc import IntegrityError, OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    lost = {"stale": StaleDataError("UPDATE statement on table 'cases' expected to update 1 row(s); 0 were matched."),
            "duplicate": IntegrityError("INSERT INTO case_links ...", {}, Exception("duplicate key")),
            "deadlock": OperationalError("UPDATE cases ...", {}, psycopg.errors.DeadlockDetected("deadlock detected"))}

    lost["disk full"] = OperationalError("SELECT 1", {}, psycopg.errors.DiskFull("disk full"))

    @app.get("/api/v1/_lost/<kind>")
    def lose(kind):
        raise lost[kind]

    headers = bearer(web_db, "adm")
    for kind in ("stale", "duplicate", "deadlock"):
        error = _error(app.test_client().get(f"/api/v1/_lost/{kind}", headers=headers), 409, "conflict")
        assert "try again" in error["message"] and "cases" not in error["message"]
    # Any other database failure is still the server's fault.
    _error(app.test_client().get("/api/v1/_lost/disk full", headers=headers), 500, "internal_error")
