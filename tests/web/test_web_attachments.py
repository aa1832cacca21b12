"""Files attached through a task form: stored with the completion, downloadable by those who see the case."""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from webtools import audit_count, bearer, csrf_from, login

from engine.cases.service import start_case
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from tests.images import plain_jpeg
from tests.social_event.helpers import REPORT, claimed_feedback, only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
PHOTO = plain_jpeg()





@pytest.fixture
def feedback(web_db: Database) -> WorkItem:
    """A social event handled by 环卫 (huanwei) up to the feedback step, claimed by huanwei_h1."""
    return claimed_feedback(web_db)


def _client(app: Flask, username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def _post_feedback(client: FlaskClient, item: WorkItem, *files: tuple[bytes, str, str], kept: Sequence[Any] = (),
                   summary: str = "已清运全部垃圾") -> Any:
    page = client.get(f"/tasks/{item.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="result_photos__upload"' in page
    data: dict[str, Any] = {"csrf_token": csrf_from(page), "result_summary": summary,
                            "result_photos": [json.dumps(k, ensure_ascii=False) for k in kept],
                            "result_photos__upload": [(io.BytesIO(body), name, ctype) for body, name, ctype in files]}
    return client.post(f"/tasks/{item.id}/complete", data=data, content_type="multipart/form-data")


def _case(db: Database, case_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def _attachments(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def _stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


def test_a_handler_attaches_a_photo_on_feedback_and_downloads_the_same_bytes(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    response = _post_feedback(client, feedback, (PHOTO, "现场照片.jpg", "image/jpeg"))
    assert response.status_code == 302, response.get_data(as_text=True)

    photos = _case(web_db, feedback.case_id).data["result_photos"]
    assert len(photos) == 1
    meta = photos[0]
    assert (meta["name"], meta["content_type"], meta["size"]) == ("现场照片.jpg", "image/jpeg", len(PHOTO))
    assert meta["url"].startswith("/attachments/") and meta["url"].removeprefix("/attachments/").isdigit()
    assert [f.read_bytes() for f in _stored_files(app)] == [PHOTO]

    download = client.get(meta["url"])
    assert download.status_code == 200 and download.data == PHOTO
    assert download.headers["Content-Type"] == "image/jpeg"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpg" in disposition
    # The case page links the file where it lists the case's data.
    assert f'href="{meta["url"]}"' in client.get(f"/cases/{feedback.case_id}").get_data(as_text=True)


def test_a_user_who_may_not_see_the_case_gets_404_for_its_attachment_as_for_an_unknown_id(app, web_db, feedback):
    assert _post_feedback(_client(app, "huanwei_h1"), feedback, (PHOTO, "after.jpg", "image/jpeg")).status_code == 302
    url = _case(web_db, feedback.case_id).data["result_photos"][0]["url"]

    other_department = _client(app, "h_cg", password="Correct-Horse-42")
    assert other_department.get(url).status_code == 404
    assert other_department.get("/attachments/999999").status_code == 404
    assert _client(app, "supervisor1").get(url).data == PHOTO  # supervisors see every case
    assert app.test_client().get(url).status_code == 302  # not signed in: to the login page


def test_an_oversize_file_is_refused_with_a_field_error_and_nothing_changes(app, web_db, feedback):
    app.extensions["casegrid_files"].max_bytes = 1024
    client = _client(app, "huanwei_h1")
    audits = audit_count(web_db, feedback.case_id)
    response = _post_feedback(client, feedback, (PHOTO, "small.jpg", "image/jpeg"),
                              (b"x" * 2048, "huge.jpg", "image/jpeg"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“huge.jpg”超过 1 KB" in html and 'aria-invalid="true"' in html
    assert "本次选择的文件未保存，请重新选择。" in html
    assert _attachments(web_db) == 0
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits
    assert "result_photos" not in _case(web_db, feedback.case_id).data


def test_a_file_the_field_does_not_accept_is_refused_with_a_field_error_and_nothing_changes(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    audits = audit_count(web_db, feedback.case_id)
    response = _post_feedback(client, feedback, (b"%PDF-1.7", "notice.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "“notice.pdf”的文件类型不符合要求（可上传：图片）" in response.get_data(as_text=True)
    assert _attachments(web_db) == 0 and _stored_files(app) == []
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits


def test_the_refusal_is_in_english_when_english_is_chosen(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = _post_feedback(client, feedback, (b"%PDF-1.7", "notice.pdf", "application/pdf"))
    html = response.get_data(as_text=True)
    assert "“notice.pdf” is not a file type this field takes (images)" in html
    assert "The files you chose were not kept; choose them again." in html


def test_a_form_refused_for_another_field_keeps_no_attachment_row(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    response = _post_feedback(client, feedback, (PHOTO, "after.jpg", "image/jpeg"), summary="")
    assert response.status_code == 422 and "请填写“处理情况”" in response.get_data(as_text=True)
    assert _attachments(web_db) == 0  # rolled back with the refused completion
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id


def test_the_same_photo_twice_is_stored_once_on_disk_with_a_row_each(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    response = _post_feedback(client, feedback, (PHOTO, "before.jpg", "image/jpeg"), (PHOTO, "after.jpg", "image/jpeg"))
    assert response.status_code == 302
    photos = _case(web_db, feedback.case_id).data["result_photos"]
    assert [p["name"] for p in photos] == ["before.jpg", "after.jpg"] and photos[0]["url"] != photos[1]["url"]
    assert _attachments(web_db) == 2
    assert len(_stored_files(app)) == 1
    assert client.get(photos[1]["url"]).data == PHOTO


def test_kept_attachments_come_first_and_may_not_name_another_cases_file(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    stranger = {"name": "borrowed.jpg", "content_type": "image/jpeg", "size": 3, "url": "/attachments/424242"}
    refused = _post_feedback(client, feedback, kept=[stranger])
    assert refused.status_code == 422 and "附件“borrowed.jpg”不属于本案件" in refused.get_data(as_text=True)

    linked = {"name": "map.png", "content_type": "image/png", "size": 10, "url": "https://maps.example/p.png"}
    done = _post_feedback(client, feedback, (PHOTO, "after.jpg", "image/jpeg"), kept=[linked])
    assert done.status_code == 302
    photos = _case(web_db, feedback.case_id).data["result_photos"]
    assert [p["name"] for p in photos] == ["map.png", "after.jpg"]


def test_the_api_may_not_keep_another_cases_file_and_keeps_this_cases_file_as_stored(app, web_db, feedback):
    headers, api = bearer(web_db, "huanwei_h1"), app.test_client()
    version = _case(web_db, feedback.case_id).version
    stranger = {"name": "borrowed.jpg", "content_type": "image/jpeg", "size": 3, "url": "/attachments/424242"}
    body = {"data": {"result_summary": "已清运全部垃圾", "result_photos": [stranger]}, "case_version": version}
    refused = api.post(f"/api/v1/tasks/{feedback.id}/complete", json=body, headers=headers)
    assert refused.status_code == 422 and "result_photos" in refused.get_json()["error"]["details"]
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id, "nothing changed"

    relabelled = {"name": "not-a-photo.exe", "content_type": "application/octet-stream", "size": 1,
                  "url": "/attachments/1"}
    with web_db.transaction() as session:  # a photo of this case, as a form post stores it
        session.add(Attachment(case_id=feedback.case_id, work_item_id=feedback.id, field_name="result_photos",
                               file_name="after.jpg", content_type="image/jpeg", size=len(PHOTO),
                               sha256="0" * 64, stored_by="huanwei_h1"))
    body["data"]["result_photos"] = [relabelled]
    done = api.post(f"/api/v1/tasks/{feedback.id}/complete", json=body, headers=headers)
    assert done.status_code == 200, done.get_data(as_text=True)
    [photo] = _case(web_db, feedback.case_id).data["result_photos"]
    assert (photo["name"], photo["content_type"], photo["url"]) == ("after.jpg", "image/jpeg", "/attachments/1")


# --- the JSON API: upload ahead, name the file by id in the completion -----------------------------

def _upload(app: Flask, headers: dict[str, str], body: bytes, name: str, ctype: str, **context: str) -> Any:
    return app.test_client().post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(body), name, ctype), **context})


def _complete_api(app: Flask, web_db: Database, item: WorkItem, headers: dict[str, str], photos: list[Any]) -> Any:
    body = {"data": {"result_summary": "已清运全部垃圾", "result_photos": photos},
            "case_version": _case(web_db, item.case_id).version}
    return app.test_client().post(f"/api/v1/tasks/{item.id}/complete", json=body, headers=headers)


def _row(db: Database, attachment_id: int) -> Attachment:
    with db.transaction(readonly=True) as session:
        row = session.get(Attachment, attachment_id)
        session.expunge(row)
        return row


def test_an_api_client_uploads_a_photo_then_names_it_by_id_and_the_completion_binds_it_to_the_case(
        app, web_db, feedback):
    headers = bearer(web_db, "huanwei_h1")
    uploaded = _upload(app, headers, PHOTO, "现场照片.jpg", "image/jpeg", task_id=feedback.id, field="result_photos")
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    meta = uploaded.get_json()
    assert (meta["name"], meta["content_type"], meta["size"], meta["field"]) == (
        "现场照片.jpg", "image/jpeg", len(PHOTO), "result_photos")
    assert len(meta["sha256"]) == 64 and meta["url"] == f"/attachments/{meta['id']}"
    assert _row(web_db, meta["id"]).case_id is None, "pending until a form names it"
    assert app.test_client().get(meta["url"], headers=headers).status_code == 404, "nobody's file yet"

    done = _complete_api(app, web_db, feedback, headers, [{"id": meta["id"]}])
    assert done.status_code == 200, done.get_data(as_text=True)
    [photo] = _case(web_db, feedback.case_id).data["result_photos"]
    assert photo == {"name": "现场照片.jpg", "content_type": "image/jpeg", "size": len(PHOTO), "url": meta["url"]}
    row = _row(web_db, meta["id"])
    assert (row.case_id, row.work_item_id, row.field_name) == (feedback.case_id, feedback.id, "result_photos")
    assert app.test_client().get(meta["url"], headers=headers).data == PHOTO


def test_an_api_upload_larger_than_the_store_allows_is_refused_with_a_file_error_and_nothing_is_kept(
        app, web_db, feedback):
    app.extensions["casegrid_files"].max_bytes = 1024
    response = _upload(app, bearer(web_db, "huanwei_h1"), b"x" * 2048, "huge.jpg", "image/jpeg")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and "“huge.jpg”超过 1 KB" in error["details"]["file"][0]
    assert _attachments(web_db) == 0 and _stored_files(app) == []


def test_an_api_upload_for_a_field_is_refused_when_the_field_does_not_take_its_type(app, web_db, feedback):
    response = _upload(app, bearer(web_db, "huanwei_h1"), b"%PDF-1.7", "notice.pdf", "application/pdf",
                       task_id=feedback.id, field="result_photos")
    assert response.status_code == 422
    assert "“notice.pdf”的文件类型不符合要求（可上传：图片）" in response.get_json()["error"]["details"]["file"][0]
    assert _attachments(web_db) == 0 and _stored_files(app) == []


def test_an_upload_without_a_context_is_still_checked_against_the_field_that_names_it(app, web_db, feedback):
    headers = bearer(web_db, "huanwei_h1")
    pdf = _upload(app, headers, b"%PDF-1.7", "notice.pdf", "application/pdf").get_json()
    refused = _complete_api(app, web_db, feedback, headers, [{"id": pdf["id"]}])
    assert refused.status_code == 422
    assert "可上传：图片" in refused.get_json()["error"]["details"]["result_photos"][0]
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id, "nothing changed"
    assert _row(web_db, pdf["id"]).case_id is None


def test_another_users_upload_cannot_be_named_and_the_refusal_changes_nothing(app, web_db, feedback):
    theirs = _upload(app, bearer(web_db, "supervisor1"), PHOTO, "theirs.jpg", "image/jpeg").get_json()
    headers = bearer(web_db, "huanwei_h1")
    audits = audit_count(web_db, feedback.case_id)
    refused = _complete_api(app, web_db, feedback, headers, [{"id": theirs["id"]}])
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["result_photos"] == [f"附件“#{theirs['id']}”不是您上传的文件，不能使用"]
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits
    assert _row(web_db, theirs["id"]).case_id is None, "still theirs to use"


def test_an_upload_already_bound_to_another_case_cannot_be_named_again(app, web_db, feedback):
    headers = bearer(web_db, "huanwei_h1")
    mine = _upload(app, headers, PHOTO, "after.jpg", "image/jpeg").get_json()
    with web_db.transaction() as session:  # another case took it first
        other = start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id
        session.get(Attachment, mine["id"]).case_id = other
    refused = _complete_api(app, web_db, feedback, headers, [{"id": mine["id"]}])
    assert refused.status_code == 422
    # Named by id only: the message does not read another case's file name out to the client.
    assert refused.get_json()["error"]["details"]["result_photos"] == [f"附件“#{mine['id']}”不属于本案件"]
    assert _row(web_db, mine["id"]).case_id == other
    assert only_item(web_db, feedback.case_id, "feedback").id == feedback.id


def test_an_upload_for_a_task_the_user_may_not_work_is_refused_and_nothing_is_kept(app, web_db, feedback):
    response = _upload(app, bearer(web_db, "hotline1"), PHOTO, "after.jpg", "image/jpeg",
                       task_id=feedback.id, field="result_photos")
    # hotline1 opened the case and so sees its tasks, but may not work the department's: 403.
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    # Another department does not see the task at all: 404, as for a task that does not exist.
    outsider = _upload(app, bearer(web_db, "chengguan_h1"), PHOTO, "after.jpg", "image/jpeg",
                       task_id=feedback.id, field="result_photos")
    assert outsider.status_code == 404 and outsider.get_json()["error"]["code"] == "not_found"
    unknown = _upload(app, bearer(web_db, "huanwei_h1"), PHOTO, "after.jpg", "image/jpeg",
                      task_id=feedback.id, field="result_summary")
    assert unknown.status_code == 422 and "field" in unknown.get_json()["error"]["details"]
    assert _attachments(web_db) == 0


def test_an_upload_needs_a_signed_in_user_and_with_the_session_cookie_a_csrf_token(app, web_db, feedback):
    anonymous = app.test_client().post("/api/v1/attachments", content_type="multipart/form-data",
                                       data={"file": (io.BytesIO(PHOTO), "a.jpg", "image/jpeg")})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"]
    browser = _client(app, "huanwei_h1")
    without = browser.post("/api/v1/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PHOTO), "a.jpg", "image/jpeg")})
    assert without.status_code == 400
    token = csrf_from(browser.get(f"/tasks/{feedback.id}").get_data(as_text=True))
    with_token = browser.post("/api/v1/attachments", content_type="multipart/form-data",
                              headers={"X-CSRFToken": token},
                              data={"file": (io.BytesIO(PHOTO), "a.jpg", "image/jpeg")})
    assert with_token.status_code == 201
    missing = _upload(app, bearer(web_db, "huanwei_h1"), b"", "", "image/jpeg")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["details"]


def test_the_upload_is_documented_as_multipart_form_data_in_the_openapi_document(app, web_db):
    spec = app.test_client().get("/api/v1/openapi.json", headers=bearer(web_db, "huanwei_h1")).get_json()
    operation = spec["paths"]["/api/v1/attachments"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in body:
        body = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert body["properties"]["file"]["format"] == "binary" and "file" in body["required"]
    assert {"task_id", "process_key", "field"} <= set(body["properties"])
    assert "201" in operation["responses"] and "422" in operation["responses"]
