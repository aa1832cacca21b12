"""Files chosen on a start form: stored with the new case in one transaction, refused as field errors that
leave neither a case nor a row, downloadable by those who see the case."""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webtools import bearer, csrf_from, login

from engine.store.database import Database
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from tests.images import plain_jpeg

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
GRID_WORKER = "gw_s01c01g01"  # grid worker of S01C01G01
REPORT = {"title": "湖贝路口暴露垃圾", "category": "0102", "grid_cell": "S01C01G01",
          "address": "东门街道湖贝路与东门中路交叉口", "description": "路口垃圾桶旁堆放生活垃圾约两立方米，未清运",
          "report_channel": "grid_worker"}
PHOTO = plain_jpeg((200, 180, 40))


def _client(app: Flask, username: str, password: str = DEMO_PASSWORD) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, password).status_code == 302
    return client


def _report(client: FlaskClient, *files: tuple[bytes, str, str], kept: Sequence[Any] = (), **changes: Any) -> Any:
    page = client.get("/start/social_event").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="photos__upload"' in page
    data: dict[str, Any] = {"csrf_token": csrf_from(page), **REPORT, **changes,
                            "photos": [json.dumps(k, ensure_ascii=False) for k in kept],
                            "photos__upload": [(io.BytesIO(body), name, ctype) for body, name, ctype in files]}
    return client.post("/start/social_event", data=data, content_type="multipart/form-data")


def _cases(db: Database) -> list[Case]:
    with db.transaction(readonly=True) as session:
        cases = list(session.scalars(select(Case).where(Case.process_key == "social_event")))
        session.expunge_all()
        return cases


def _attachments(db: Database) -> list[tuple[int | None, str]]:
    with db.transaction(readonly=True) as session:
        return [(a.case_id, a.file_name) for a in session.scalars(select(Attachment).order_by(Attachment.id))]


def _stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


def test_a_grid_worker_reports_a_social_event_with_a_photo_that_those_who_see_the_case_download(app, web_db):
    reporter = _client(app, GRID_WORKER)
    response = _report(reporter, (PHOTO, "现场照片.jpg", "image/jpeg"))
    assert response.status_code == 302, response.get_data(as_text=True)

    [case] = _cases(web_db)
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    [meta] = case.data["photos"]
    assert (meta["name"], meta["content_type"], meta["size"]) == ("现场照片.jpg", "image/jpeg", len(PHOTO))
    assert meta["url"].startswith("/attachments/") and meta["url"].removeprefix("/attachments/").isdigit()
    assert _attachments(web_db) == [(case.id, "现场照片.jpg")]  # bound to the new case
    assert [f.read_bytes() for f in _stored_files(app)] == [PHOTO]

    download = reporter.get(meta["url"])
    assert download.status_code == 200 and download.data == PHOTO
    assert download.headers["Content-Type"] == "image/jpeg"
    assert _client(app, "supervisor1").get(meta["url"]).data == PHOTO
    assert _client(app, "dispatcher1").get(meta["url"]).data == PHOTO  # registers the report
    assert f'href="{meta["url"]}"' in reporter.get(f"/cases/{case.id}").get_data(as_text=True)

    assert _client(app, "gw_s02c01g01").get(meta["url"]).status_code == 404  # another street's grid worker
    assert _client(app, "huanwei_h1").get(meta["url"]).status_code == 404  # a department not (yet) on the case


def test_an_oversize_photo_on_the_start_form_is_a_field_error_and_no_case_or_row_is_kept(app, web_db):
    app.extensions["casegrid_files"].max_bytes = 1024
    response = _report(_client(app, GRID_WORKER), (PHOTO, "small.jpg", "image/jpeg"),
                       (b"x" * 2048, "huge.jpg", "image/jpeg"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“huge.jpg”超过 1 KB" in html and 'aria-invalid="true"' in html
    assert "本次选择的文件未保存，请重新选择。" in html
    assert 'value="湖贝路口暴露垃圾"' in html  # the answers come back in place
    assert _cases(web_db) == [] and _attachments(web_db) == []


def test_a_file_the_photos_field_does_not_accept_is_a_field_error_and_no_case_or_row_is_kept(app, web_db):
    response = _report(_client(app, GRID_WORKER), (PHOTO, "site.jpg", "image/jpeg"),
                       (b"%PDF-1.7", "notice.pdf", "application/pdf"))
    assert response.status_code == 422
    assert "“notice.pdf”的文件类型不符合要求（可上传：图片）" in response.get_data(as_text=True)
    assert _cases(web_db) == [] and _attachments(web_db) == []


def test_a_start_form_refused_for_another_field_keeps_no_case_and_no_attachment_row(app, web_db):
    response = _report(_client(app, GRID_WORKER), (PHOTO, "site.jpg", "image/jpeg"), description="")
    assert response.status_code == 422
    assert "本次选择的文件未保存，请重新选择。" in response.get_data(as_text=True)
    assert _cases(web_db) == [] and _attachments(web_db) == []


def test_a_start_form_may_not_keep_a_file_of_another_case(app, web_db):
    reporter = _client(app, GRID_WORKER)
    assert _report(reporter, (PHOTO, "first.jpg", "image/jpeg")).status_code == 302
    [first] = _cases(web_db)
    borrowed = first.data["photos"][0]

    refused = _report(reporter, kept=[borrowed], title="湖贝路口再次堆放垃圾")
    assert refused.status_code == 422
    assert "附件“first.jpg”不属于本案件" in refused.get_data(as_text=True)
    assert [c.id for c in _cases(web_db)] == [first.id] and _attachments(web_db) == [(first.id, "first.jpg")]

    linked = {"name": "map.png", "content_type": "image/png", "size": 10, "url": "https://maps.example/p.png"}
    assert _report(reporter, (PHOTO, "second.jpg", "image/jpeg"), kept=[linked]).status_code == 302
    second = next(c for c in _cases(web_db) if c.id != first.id)
    assert [p["name"] for p in second.data["photos"]] == ["map.png", "second.jpg"]


# --- the JSON API: upload ahead, name the file by id in the start ----------------------------------

def _upload(app: Flask, headers: dict[str, str], body: bytes, name: str, ctype: str, **context: str) -> Any:
    return app.test_client().post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                                  data={"file": (io.BytesIO(body), name, ctype), **context})


def _start_api(app: Flask, headers: dict[str, str], photos: list[Any]) -> Any:
    return app.test_client().post("/api/v1/cases", headers=headers,
                                  json={"process_key": "social_event", "data": {**REPORT, "photos": photos}})


def test_an_api_client_starts_a_case_naming_its_own_upload_and_the_file_is_bound_to_the_new_case(app, web_db):
    headers = bearer(web_db, GRID_WORKER)
    uploaded = _upload(app, headers, PHOTO, "现场照片.jpg", "image/jpeg", process_key="social_event", field="photos")
    assert uploaded.status_code == 201, uploaded.get_data(as_text=True)
    meta = uploaded.get_json()
    assert _attachments(web_db) == [(None, "现场照片.jpg")]

    started = _start_api(app, headers, [{"id": meta["id"]}])
    assert started.status_code == 201, started.get_data(as_text=True)
    [case] = _cases(web_db)
    assert case.data["photos"] == [{"name": "现场照片.jpg", "content_type": "image/jpeg", "size": len(PHOTO),
                                    "url": meta["url"]}]
    assert _attachments(web_db) == [(case.id, "现场照片.jpg")]
    assert app.test_client().get(meta["url"], headers=headers).data == PHOTO

    again = _start_api(app, headers, [{"id": meta["id"]}])  # bound once: a second case may not take it
    assert again.status_code == 422 and "photos" in again.get_json()["error"]["details"]
    assert len(_cases(web_db)) == 1


def test_an_api_start_naming_another_users_upload_is_refused_and_no_case_is_started(app, web_db):
    theirs = _upload(app, bearer(web_db, "supervisor1"), PHOTO, "theirs.jpg", "image/jpeg").get_json()
    refused = _start_api(app, bearer(web_db, GRID_WORKER), [{"id": theirs["id"], "name": "mine.jpg"}])
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["photos"] == ["附件“mine.jpg”不是您上传的文件，不能使用"]
    assert _cases(web_db) == [] and _attachments(web_db) == [(None, "theirs.jpg")]


def test_an_api_upload_for_a_start_form_is_refused_when_its_field_does_not_take_the_type(app, web_db):
    refused = _upload(app, bearer(web_db, GRID_WORKER), b"%PDF-1.7", "notice.pdf", "application/pdf",
                      process_key="social_event", field="photos")
    assert refused.status_code == 422 and "可上传：图片" in refused.get_json()["error"]["details"]["file"][0]
    forbidden = _upload(app, bearer(web_db, "huanwei_h1"), PHOTO, "a.jpg", "image/jpeg",
                        process_key="social_event", field="photos")  # a handler does not report events
    assert forbidden.status_code == 403
    assert _attachments(web_db) == [] and _stored_files(app) == []
