"""Hostile HTTP payloads (http_payloads.yaml): each is refused with its exact status and error code, and
changes nothing."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event, func, select
from webtools import bearer, csrf_from, signed_in

from engine.attachments.service import MAX_FILES_PER_FIELD
from engine.definitions.bundle import path_problem
from engine.forms import messages
from engine.store.database import Database
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from engine.store.models.definitions import Deployment
from engine.store.models.tasks import WorkItem
from tests.social_event.helpers import claimed_feedback

CORPUS = yaml.safe_load((Path(__file__).parents[1] / "hostile_corpus" / "http_payloads.yaml").read_text(encoding="utf-8"))
BAD_NAMES: dict[str, str] = CORPUS["bad_definition_names"]
DIAGRAM = '<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'


def _count(db: Database, model: Any) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- definition file names -----------------------------------------------------------------------------

def test_deploy_accepts_only_definition_file_names(app, web_db):
    # One app for the whole corpus: each name is its own request, refused on its own.
    api, headers = app.test_client(), bearer(web_db, "ana")
    deployments = _count(web_db, Deployment)
    for name, path in sorted(BAD_NAMES.items()):
        response = api.post("/api/v1/definitions", json={"files": {path: DIAGRAM}}, headers=headers)
        assert response.status_code == 422, (name, response.get_data(as_text=True)[:300])
        error = response.get_json()["error"]
        assert error["code"] == "definition_invalid", name
        [problem] = error["details"]
        assert problem["message"].startswith("not a definition file name: "), name
        assert "\n" not in problem["file"] and "\r" not in problem["file"], name
    assert _count(web_db, Deployment) == deployments


def test_every_bad_name_of_one_deploy_is_its_own_problem_line_and_nothing_is_validated(app, web_db):
    files = {path: "not even XML" for path in BAD_NAMES.values()} | {"forms/fine.json": "{}"}
    response = app.test_client().post("/api/v1/definitions/validate", json={"files": files},
                                      headers=bearer(web_db, "ana"))
    assert response.status_code == 422
    problems = response.get_json()["error"]["details"]
    assert len(problems) == len(BAD_NAMES)
    assert all(p["message"].startswith("not a definition file name: ") for p in problems)


def test_the_studio_refuses_bad_definition_names_with_problem_lines_too(app, web_db):
    client = signed_in(app, "ana")
    token = csrf_from(client.get("/studio/").get_data(as_text=True))
    deployments = _count(web_db, Deployment)
    for url in ("/studio/validate", "/studio/deploy"):
        response = client.post(url, json={"files": {BAD_NAMES["crlf_header_injection"]: DIAGRAM}},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 422
        body = response.get_json()
        assert body["valid"] is False and body["problems"][0]["message"].startswith("not a definition file name")
    assert _count(web_db, Deployment) == deployments


@pytest.mark.parametrize("path", CORPUS["good_definition_names"])
def test_definition_file_names_of_the_bundle_format_are_accepted(path):
    assert path_problem(path) is None


# --- attachment references -----------------------------------------------------------------------------

def test_ten_thousand_attachment_references_are_refused_before_any_is_looked_up(app, web_db):
    item = claimed_feedback(web_db)
    references = [{"id": n, "name": f"{n}.jpg"} for n in range(1, CORPUS["attachment_references"] + 1)]
    with web_db.transaction(readonly=True) as session:
        version = session.get(Case, item.case_id).version
    body = {"data": {"result_summary": "已清运全部垃圾", "result_photos": references}, "case_version": version}
    headers = bearer(web_db, "huanwei_h1")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.extensions["casegrid_db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = app.test_client().post(f"/api/v1/tasks/{item.id}/complete", json=body, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    limit = min(9, MAX_FILES_PER_FIELD)  # se_feedback's maxItems
    assert error["details"]["result_photos"] == [messages.text("attachment_too_many", "zh", limit=limit)]
    # One bounded set of statements for the whole request, not one per reference.
    assert len([s for s in statements if "attachments" in s]) <= 2, len(statements)
    assert len(statements) < 100
    with web_db.transaction(readonly=True) as session:
        assert session.get(WorkItem, item.id).status == "open"
        assert session.get(Case, item.case_id).version == version
    assert _count(web_db, Attachment) == 0


# --- request size ----------------------------------------------------------------------------------------

def test_a_form_post_over_max_content_length_is_a_413_page_in_chinese(app, web_db):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client = signed_in(app, "gw1")
    token = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/start/web_flow", data={"csrf_token": token, "title": "x" * (128 * 1024)})
    assert response.status_code == 413
    assert "上传的内容过大" in response.get_data(as_text=True)
    assert _count(web_db, Case) == 0


def test_an_upload_over_max_content_length_is_a_413_with_a_json_error(app, web_db):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = app.test_client().post("/api/v1/attachments", headers=bearer(web_db, "gw1"),
                                      content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(b"\0" * (128 * 1024)), "big.jpg", "image/jpeg")})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
    assert _count(web_db, Attachment) == 0


def test_a_20_mb_form_body_is_refused_not_parsed(app, web_db):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    body = f"csrf_token={token}&username=gw1&password=" + "x" * (20 * 1024 * 1024)
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "上传的内容过大" in response.get_data(as_text=True)
