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

from engine.attachments.models import Attachment
from engine.cases.models import Case
from engine.cases.service import start_case
from engine.org.service import actor_for
from engine.store.database import Database
from engine.tasks.models import WorkItem
from engine.tasks.service import claim, complete

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S03C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "hotline", "caller_name": "陈先生", "caller_phone": "13800138000"}
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF after the clean-up " * 64


def _act(db: Database, item_id: str, username: str, data: dict[str, Any]) -> None:
    with db.transaction() as session:
        claim(session, item_id, actor_for(session, username))
    with db.transaction() as session:
        complete(session, item_id, data, actor_for(session, username))


def _open(db: Database, case_id: int) -> list[WorkItem]:
    with db.transaction(readonly=True) as session:
        items = list(session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")))
        session.expunge_all()
        return items


def _only(db: Database, case_id: int, task_spec: str) -> WorkItem:
    items = _open(db, case_id)
    assert [i.task_spec for i in items] == [task_spec]
    return items[0]


@pytest.fixture
def feedback(web_db: Database) -> WorkItem:
    """A social event handled by 环卫 (huanwei) up to the feedback step, claimed by huanwei_h1."""
    with web_db.transaction() as session:
        case_id = start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id
    _act(web_db, _only(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    _act(web_db, _only(web_db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    _act(web_db, _only(web_db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    item = _only(web_db, case_id, "feedback")
    with web_db.transaction() as session:
        claim(session, item.id, actor_for(session, "huanwei_h1"))
    return item


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
    response = _post_feedback(client, feedback, (b"x" * 10, "small.jpg", "image/jpeg"),
                              (b"x" * 2048, "huge.jpg", "image/jpeg"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“huge.jpg”超过 1 KB" in html and 'aria-invalid="true"' in html
    assert "本次选择的文件未保存，请重新选择。" in html
    assert _attachments(web_db) == 0
    assert _only(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits
    assert "result_photos" not in _case(web_db, feedback.case_id).data


def test_a_file_the_field_does_not_accept_is_refused_with_a_field_error_and_nothing_changes(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    audits = audit_count(web_db, feedback.case_id)
    response = _post_feedback(client, feedback, (b"%PDF-1.7", "notice.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "“notice.pdf”的文件类型不符合要求（可上传：image/*）" in response.get_data(as_text=True)
    assert _attachments(web_db) == 0 and _stored_files(app) == []
    assert _only(web_db, feedback.case_id, "feedback").id == feedback.id
    assert audit_count(web_db, feedback.case_id) == audits


def test_the_refusal_is_in_english_when_english_is_chosen(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = _post_feedback(client, feedback, (b"%PDF-1.7", "notice.pdf", "application/pdf"))
    html = response.get_data(as_text=True)
    assert "“notice.pdf” is not a file type this field takes (image/*)" in html
    assert "The files you chose were not kept; choose them again." in html


def test_a_form_refused_for_another_field_keeps_no_attachment_row(app, web_db, feedback):
    client = _client(app, "huanwei_h1")
    response = _post_feedback(client, feedback, (PHOTO, "after.jpg", "image/jpeg"), summary="")
    assert response.status_code == 422 and "请填写“处理情况”" in response.get_data(as_text=True)
    assert _attachments(web_db) == 0  # rolled back with the refused completion
    assert _only(web_db, feedback.case_id, "feedback").id == feedback.id


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
    assert _only(web_db, feedback.case_id, "feedback").id == feedback.id, "nothing changed"

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
