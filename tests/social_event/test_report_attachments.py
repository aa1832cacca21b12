"""Photos of the report (the start form) through the engine alone (no Flask): stored before the case exists,
bound to it in the start's transaction, refused with field errors that leave neither a case nor a row."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.attachments.service import bind_to_case, open_attachment, store_start_uploads
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.cases.service import start_case
from engine.cases.starting import startable
from engine.commands.cases import start as start_as
from engine.errors import InvalidInput, NotFound
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from tests.conftest import deploy_bundled
from tests.images import plain_png

from .helpers import REPORT, case_row

PHOTO = plain_png((120, 120, 120))
POSTED = {**REPORT, "report_channel": "grid_worker", "grid_cell": "S01C01G01"}
del POSTED["caller_name"], POSTED["caller_phone"]
GRID_WORKER = "gw_s01c01g01"


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "uploads", max_bytes=20 * 1024 * 1024)


def _photo(body: bytes = PHOTO, name: str = "site.png", content_type: str | None = "image/png") -> Upload:
    return Upload(name, content_type, io.BytesIO(body))


def _rows(db: Database) -> list[tuple[int | None, str | None, str]]:
    with db.transaction(readonly=True) as session:
        return [(a.case_id, a.work_item_id, a.file_name)
                for a in session.scalars(select(Attachment).order_by(Attachment.id))]


def _case_count(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def _report(db: Database, store: FileStore, *uploads: Upload, **changes: Any) -> int:
    with db.transaction() as session:
        return start_as(session, actor_for(session, GRID_WORKER), "social_event", posted={**POSTED, **changes},
                        uploads={"photos": list(uploads)}, store=store).id


def test_the_reports_photos_are_bound_to_the_new_case_and_kept_in_its_data(deployed_db, store):
    case_id = _report(deployed_db, store, _photo(name="before.png"), _photo(name="close-up.png"))
    assert _rows(deployed_db) == [(case_id, None, "before.png"), (case_id, None, "close-up.png")]
    photos = case_row(deployed_db, case_id).data["photos"]
    assert [p["name"] for p in photos] == ["before.png", "close-up.png"]
    with deployed_db.transaction(readonly=True) as session:
        opened = open_attachment(session, store, int(photos[0]["url"].rsplit("/", 1)[1]),
                                 actor_for(session, GRID_WORKER))
        with opened.stream:
            assert opened.stream.read() == PHOTO


def test_a_row_without_a_case_is_visible_to_nobody_until_bind_gives_it_the_case(deployed_db, store):
    with deployed_db.transaction() as session:
        actor = actor_for(session, GRID_WORKER)
        form = startable(session, "social_event").form
        data, ids = store_start_uploads(session, store, form, dict(POSTED), {"photos": [_photo()]}, actor)
        assert [p["url"] for p in data["photos"]] == [f"/attachments/{ids[0]}"]
        assert session.get(Attachment, ids[0]).case_id is None
        with pytest.raises(NotFound):  # not even a supervisor may open it before it has a case
            open_attachment(session, store, ids[0], actor_for(session, "supervisor1"))

        case = start_case(session, "social_event", data, actor)
        bind_to_case(session, ids, case.id)
        assert session.get(Attachment, ids[0]).case_id == case.id
        with open_attachment(session, store, ids[0], actor_for(session, "supervisor1")).stream as stream:
            assert stream.read() == PHOTO

        # A row that already has a case is never bound again: the start does not go ahead.
        with pytest.raises(RuntimeError):
            bind_to_case(session, ids, case.id + 1)


def test_a_refused_photo_leaves_no_case_and_no_row(deployed_db, store):
    store.max_bytes = 1024
    with pytest.raises(InvalidInput) as refused:
        _report(deployed_db, store, _photo(PHOTO, "small.png"), _photo(b"x" * 2048, "huge.png"))
    assert refused.value.details["photos"] == ["“huge.png”超过 1 KB，未能上传"]
    with pytest.raises(InvalidInput) as wrong_type:
        _report(deployed_db, store, _photo(b"%PDF-1.7", "notice.pdf", "application/pdf"))
    assert "photos" in wrong_type.value.details
    assert _case_count(deployed_db) == 0 and _rows(deployed_db) == []


def test_a_report_refused_by_its_form_rolls_back_the_photos_it_stored(deployed_db, store):
    with pytest.raises(InvalidInput) as refused:
        _report(deployed_db, store, _photo(), description="")
    assert "description" in refused.value.details
    assert _case_count(deployed_db) == 0 and _rows(deployed_db) == []


def test_a_report_may_not_name_a_file_of_another_case_through_the_form_or_the_api(deployed_db, store):
    first = _report(deployed_db, store, _photo(name="first.png"))
    borrowed = case_row(deployed_db, first).data["photos"][0]
    with pytest.raises(InvalidInput) as refused:
        _report(deployed_db, store, photos=[borrowed])
    assert refused.value.details["photos"] == ["附件“first.png”不属于本案件"]
    with pytest.raises(InvalidInput), deployed_db.transaction() as session:
        start_as(session, actor_for(session, GRID_WORKER), "social_event", {**POSTED, "photos": [borrowed]})
    assert _case_count(deployed_db) == 1 and _rows(deployed_db) == [(first, None, "first.png")]


def test_the_bind_is_one_update_on_postgresql_too(pg_db, store):
    deploy_bundled(pg_db)
    case_id = _report(pg_db, store, _photo(name="a.png"), _photo(plain_png((10, 20, 30)), "b.png"))
    assert _rows(pg_db) == [(case_id, None, "a.png"), (case_id, None, "b.png")]
    with pytest.raises(InvalidInput):
        _report(pg_db, store, _photo(), description="")
    assert _case_count(pg_db) == 1 and len(_rows(pg_db)) == 2
