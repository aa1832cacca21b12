"""Attachments: upload a file ahead of the completion or start that names it (the JSON API's way to
attach files; the HTML forms post theirs with the form). engine.attachments.unbound has the rules."""
from __future__ import annotations

from typing import Any

from werkzeug.datastructures import CombinedMultiDict

from engine.attachments.service import attachment_url
from engine.attachments.unbound import upload_pending
from engine.attachments.uploads import Upload
from engine.errors import InvalidInput
from web.api.blueprint import Blueprint, SchemaOnceParser
from web.api.schemas import AttachmentSchema, AttachmentUploadSchema
from web.db import transaction
from web.files import file_store
from web.i18n import current_locale
from web.identity import current_user

PREFIX = "/attachments"
MULTIPART = "form_and_files"


class _Parser(SchemaOnceParser):
    """webargs with one more location: a multipart body's form fields and files together."""

    __location_map__ = {**SchemaOnceParser.__location_map__, MULTIPART: "load_form_and_files"}

    def load_form_and_files(self, req: Any, schema: Any) -> Any:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             MULTIPART: "multipart/form-data"}


blp = _Blueprint("api_attachments", __name__, description="Files uploaded ahead of the form that names them")


@blp.post("")
@blp.arguments(AttachmentUploadSchema, location=MULTIPART)
@blp.response(201, AttachmentSchema)
def upload(body: dict[str, Any]) -> Any:
    """Store one file (multipart field `file`) for a later task completion or case start.

    The file is checked against the store's size limit, and with `task_id` or `process_key` plus `field`
    against that field's `accept` and size cap (422 with `details.file`). It belongs to no case yet:
    name it in the completion's or start's data as `{"id": <id>}` in that field; only you can, once.
    Files nobody names are deleted after CASEGRID_UPLOAD_ORPHAN_HOURS (default 24).
    """
    posted = body["file"]
    if not posted.filename:  # an empty file input posts a part without a name
        raise InvalidInput("no file was posted", {"file": ["choose a file to upload"]})
    upload_ = Upload(posted.filename or "", posted.content_type, posted.stream)
    with transaction() as session:
        row = upload_pending(session, file_store(), upload_, current_user().actor, task_id=body["task_id"],
                             process_key=body["process_key"], field=body["field"], lang=current_locale())
        return {**{c: getattr(row, c) for c in ("id", "file_name", "content_type", "size", "sha256", "stored_at")},
                "field_name": row.field_name or None, "url": attachment_url(row.id)}
