"""Files uploaded ahead of the form that will name them: the JSON API's way to attach files.

A client posts the file alone (``POST /api/v1/attachments``); ``upload_pending`` checks and stores it
like a form post does and adds a row with no case, owned by the uploader. The client then names it by
id in a task completion's or a case start's data (``{"id": 17}``); engine.attachments.service binds it
there, in that transaction, if the same user uploaded it and the field takes it. A pending upload
nobody names is removed by the orphan purge (engine.attachments.purge) after
``CASEGRID_UPLOAD_ORPHAN_HOURS``.

With a context (a task, or a process for its start form) and a field, the field's ``accept`` and size
cap are checked at once, so the client learns of a refusal before it completes anything; they are
checked again when the file is bound, whatever context it was uploaded with.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.attachments.limits import accept_of, keeps_exif, size_limit
from engine.attachments.service import keep_file
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.cases.starting import authorise_start
from engine.definitions.versions import runtime_for
from engine.errors import Conflict, InvalidInput
from engine.forms import messages
from engine.forms.definition import FormDefinition
from engine.forms.fields import FieldSpec
from engine.org.access import Actor
from engine.store.models.attachments import Attachment
from engine.store.models.cases import Case
from engine.store.statuses import WorkItemStatus
from engine.tasks.view import authorised_item

FILE_KEY = "file"  # the multipart field of the upload, and the key of its refusals


def upload_pending(session: Session, store: FileStore, upload: Upload, actor: Actor, *,
                   task_id: str | None = None, process_key: str | None = None, field: str | None = None,
                   lang: str = "zh") -> Attachment:
    """Store `upload` as a pending attachment of `actor`; its row (flushed, with its id).

    `task_id` (an open task `actor` may work) or `process_key` (a process `actor` may start) name the
    form, `field` its attachments field whose ``accept`` and size cap apply; without a field only the
    store's size limit does. Refusals: InvalidInput ``{"file": [...]}`` for the file itself,
    ``{"field": [...]}`` for a field the form does not have; Forbidden/Conflict/NotFound for the context.
    """
    spec = _field(session, actor, task_id, process_key, field, lang)
    if spec is None:
        return keep_file(session, store, upload, actor, lang, accept="", limit=store.max_bytes, error_key=FILE_KEY,
                         field_name="", case_id=None, work_item_id=None)
    return keep_file(session, store, upload, actor, lang, accept=accept_of(spec),
                     limit=size_limit(spec, store.max_bytes), error_key=FILE_KEY, field_name=spec.name,
                     case_id=None, work_item_id=None, keep_exif=keeps_exif(spec))


def _field(session: Session, actor: Actor, task_id: str | None, process_key: str | None, field: str | None,
           lang: str) -> FieldSpec | None:
    if task_id is not None and process_key is not None:
        raise InvalidInput(messages.text("form_invalid", lang),
                           {"process_key": ["give either task_id or process_key, not both"]})
    form: FormDefinition | None = None
    if task_id is not None:
        item = authorised_item(session, task_id, actor, to_work=True)
        if item.status != WorkItemStatus.OPEN:
            raise Conflict(f"task '{item.task_name}' is already {item.status}", key="task.closed",
                           params={"task": item.task_name, "task_status": item.status})
        case = session.get(Case, item.case_id)
        assert case is not None
        form = runtime_for(session, case.process_version_id).form(item.form_key)
    elif process_key is not None:
        form = authorise_start(session, process_key, None, actor).form
    if field is None:
        return None
    if task_id is None and process_key is None:
        raise InvalidInput(messages.text("form_invalid", lang),
                           {"field": ["a field needs the task_id or process_key of its form"]})
    spec = next((s for s in form.fields if s.name == field), None) if form is not None else None
    if spec is None or spec.widget != "attachments":
        raise InvalidInput(messages.text("form_invalid", lang), {"field": [f"'{field}' is not an attachments field "
                                                                         "of this form"]})
    return spec
