"""Photos of the feedback step through the engine's attachment services alone (no Flask): stored with the
completion in one transaction, refused with field errors that change nothing, handed out only to those
who see the case."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.attachments.service import open_attachment, store_upload
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.commands.tasks import complete
from engine.definitions.versions import runtime_for
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.forms.fields import FieldSpec
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from engine.store.models.tasks import WorkItem
from tests.images import plain_png

from .helpers import actions, case_row, claimed_feedback, only_item

PHOTO = plain_png()


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "uploads", max_bytes=20 * 1024 * 1024)


@pytest.fixture
def feedback(deployed_db: Database) -> WorkItem:
    """The feedback task of a social event handled by 环卫, claimed by huanwei_h1."""
    return claimed_feedback(deployed_db)


def _photo(body: bytes = PHOTO, name: str = "after.png", content_type: str | None = "image/png") -> Upload:
    return Upload(name, content_type, io.BytesIO(body))


def _complete(db: Database, store: FileStore, item: WorkItem, *uploads: Upload, summary: str = "已清运全部垃圾",
              username: str = "huanwei_h1") -> None:
    with db.transaction() as session:
        complete(session, actor_for(session, username), item.id, posted={"result_summary": summary},
                 uploads={"result_photos": list(uploads)}, store=store)


def _rows(db: Database) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_photos_posted_with_the_feedback_are_stored_and_listed_in_the_case_data(deployed_db, store, feedback):
    _complete(deployed_db, store, feedback, _photo())
    [meta] = case_row(deployed_db, feedback.case_id).data["result_photos"]
    assert {k: meta[k] for k in ("name", "content_type", "size")} == {
        "name": "after.png", "content_type": "image/png", "size": len(PHOTO)}
    with deployed_db.transaction(readonly=True) as session:
        row = session.scalars(select(Attachment)).one()
        assert meta["url"] == f"/attachments/{row.id}"
        assert (row.case_id, row.work_item_id, row.field_name, row.stored_by) == (
            feedback.case_id, feedback.id, "result_photos", "huanwei_h1")
        opened = open_attachment(session, store, row.id, actor_for(session, "huanwei_h1"))
    with opened.stream:
        assert opened.stream.read() == PHOTO


@pytest.mark.parametrize(("body", "name", "content_type", "message"), [
    # se_feedback caps each photo at 10 MB in its items schema, below the store's 20 MiB.
    (b"x" * (10 * 1024 * 1024 + 1), "huge.png", "image/png", "“huge.png”超过 10 MB，未能上传"),
    (b"%PDF-1.7", "notice.pdf", "application/pdf", "“notice.pdf”的文件类型不符合要求（可上传：图片）"),
])
def test_a_refused_file_raises_a_field_error_and_changes_nothing(deployed_db, store, feedback, body, name,
                                                                content_type, message):
    before = actions(deployed_db, feedback.case_id)
    with pytest.raises(InvalidInput) as refused:
        _complete(deployed_db, store, feedback, _photo(name="ok.png"), _photo(body, name, content_type))
    assert refused.value.details == {"result_photos": [message]}
    assert _rows(deployed_db) == 0
    assert only_item(deployed_db, feedback.case_id, "feedback").id == feedback.id
    assert actions(deployed_db, feedback.case_id) == before


def test_the_stores_limit_applies_when_it_is_below_the_forms(deployed_db, tmp_path, feedback):
    small = FileStore(tmp_path / "small", max_bytes=100)
    with pytest.raises(InvalidInput) as refused:
        _complete(deployed_db, small, feedback, _photo())
    assert refused.value.details == {"result_photos": ["“after.png”超过 100 B，未能上传"]}


def test_a_refused_file_is_reported_together_with_the_forms_other_errors(deployed_db, store, feedback):
    with pytest.raises(InvalidInput) as refused:
        _complete(deployed_db, store, feedback, _photo(b"%PDF", "notice.pdf", "application/pdf"), summary="")
    assert list(refused.value.details) == ["result_summary", "result_photos"]


def test_a_completion_refused_by_validation_rolls_the_attachment_rows_back(deployed_db, store, feedback):
    with pytest.raises(InvalidInput) as refused:
        _complete(deployed_db, store, feedback, _photo(), summary="ab")
    assert list(refused.value.details) == ["result_summary"]
    assert _rows(deployed_db) == 0
    assert only_item(deployed_db, feedback.case_id, "feedback").id == feedback.id


def test_only_someone_who_may_work_the_task_can_attach_to_it_and_nothing_is_written(deployed_db, store, feedback):
    with pytest.raises(Forbidden), deployed_db.transaction() as session:
        item = session.get(WorkItem, feedback.id)
        store_upload(session, store, item, _photos_field(session, item), _photo(), actor_for(session, "huanwei_h2"))
    assert _rows(deployed_db) == 0 and not store.root.exists()


def test_someone_outside_the_cases_scope_gets_not_found_as_for_an_unknown_id(deployed_db, store, feedback):
    _complete(deployed_db, store, feedback, _photo())
    attachment_id = int(case_row(deployed_db, feedback.case_id).data["result_photos"][0]["url"].rsplit("/", 1)[1])
    with deployed_db.transaction(readonly=True) as session:
        with pytest.raises(NotFound) as outsider:
            open_attachment(session, store, attachment_id, actor_for(session, "chengguan_h1"))
        with pytest.raises(NotFound) as unknown:
            open_attachment(session, store, 999_999, actor_for(session, "chengguan_h1"))
        assert str(outsider.value) == f"attachment {attachment_id} does not exist"
        assert str(unknown.value) == "attachment 999999 does not exist"
        open_attachment(session, store, attachment_id, actor_for(session, "supervisor1")).stream.close()


def test_a_row_whose_file_is_missing_is_not_found_rather_than_an_error(deployed_db, store, feedback):
    _complete(deployed_db, store, feedback, _photo())
    with deployed_db.transaction(readonly=True) as session:
        row = session.scalars(select(Attachment)).one()
        store.path_for(row.sha256).unlink()
        with pytest.raises(NotFound):
            open_attachment(session, store, row.id, actor_for(session, "huanwei_h1"))


def _photos_field(session: Session, item: WorkItem) -> FieldSpec:
    case = session.get(Case, item.case_id)
    form = runtime_for(session, case.process_version_id).form(item.form_key)
    return form.field_map["result_photos"]
