"""marshmallow schemas of the REST API: what it accepts (load) and returns (dump, documented in OpenAPI)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from engine.calendar.business import UNITS
from engine.cases.display_status import DisplayStatus
from engine.sla.queries import shown_state
from engine.store.statuses import SlaState

# Ids and versions are 32-bit in the database; larger numbers are refused as input, not sent to SQL.
MAX_ID = 2**31 - 1

DISPLAY_STATUSES = tuple(status.value for status in DisplayStatus)
SLA_STATES = tuple(state.value for state in SlaState)


class _In(Schema):
    class Meta:
        unknown = EXCLUDE


# --- errors and pages ---------------------------------------------------------------------------

class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "invalid_input"})
    message = fields.String(required=True)
    details = fields.Raw(required=True, metadata={"description": "field -> [messages] for 400/422; else {} or more"})


class ErrorSchema(Schema):
    """Every error, on every status: {"error": {"code", "message", "details"}}."""

    error = fields.Nested(ErrorBodySchema, required=True)


class PageArgs(_In):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


_pages: dict[str, type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """{"items": [...], "total", "total_at_least", "limit", "offset"}; one named schema per item type for OpenAPI."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _pages:
        _pages[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True, metadata={"description": (
                "How many items match; counted up to 1,000 or the end of the page asked for, whichever "
                "is more, when an exact count would read the whole history (see total_at_least)")}),
            "total_at_least": fields.Boolean(required=True, metadata={"description": (
                "true when more items match than were counted: `total` is then a lower bound (\"1,000+\")")}),
            "limit": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
        })
    return _pages[name]


def page(items: list[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": int(total), "total_at_least": bool(getattr(total, "at_least", False)),
            "limit": args["limit"], "offset": args["offset"]}


# --- me -----------------------------------------------------------------------------------------

class RoleSchema(Schema):
    role = fields.String(required=True)
    scope = fields.String(allow_none=True, required=True)


class MeSchema(Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    department = fields.String(allow_none=True, required=True)
    locale = fields.String(required=True)
    roles = fields.List(fields.Nested(RoleSchema), required=True)


# --- definitions --------------------------------------------------------------------------------

class ProcessSummarySchema(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    latest_version = fields.Integer(required=True)
    versions = fields.Integer(required=True)


class VersionSchema(Schema):
    id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    family = fields.String(allow_none=True, required=True)
    bpmn_file = fields.String(required=True)
    deployed_at = fields.DateTime(required=True)
    deployment_id = fields.Integer(required=True)


class DefinitionFilesSchema(_In):
    files = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=300)),
                        values=fields.String(validate=validate.Length(max=2_000_000)), required=True,
                        validate=validate.Length(min=1, max=200),
                        metadata={"description": "path under processes/, rules/ or forms/ -> file text",
                                  "example": {"forms/sample_start.json": "{...}"}})


class ProblemSchema(Schema):
    file = fields.String(required=True)
    element = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class ValidationResultSchema(Schema):
    valid = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(ProblemSchema), required=True)


class NewVersionSchema(Schema):
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)


class DeployResultSchema(Schema):
    deployment_id = fields.Integer(required=True)
    unchanged = fields.Boolean(required=True)
    new_versions = fields.List(fields.Nested(NewVersionSchema), required=True)


# --- tasks --------------------------------------------------------------------------------------

class TaskSchema(Schema):
    id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    name = fields.String(attribute="task_name", required=True)
    task = fields.String(attribute="task_spec", required=True)
    form = fields.String(attribute="form_key", allow_none=True, required=True)
    role = fields.String(allow_none=True, required=True)
    department = fields.String(allow_none=True, required=True)
    grid_cell = fields.String(allow_none=True, required=True)
    candidate_users = fields.List(fields.String(), required=True)
    assignee = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)
    sla_state = fields.Method("_shown_sla_state", required=True, metadata={"type": "string",
        "description": "the time-limit mark as pages and the sla_state filter read it: an open step past its "
                       "due time is overdue though no clock marked it, a withdrawn step reads withdrawn "
                       "(no limit runs on it) whatever it was marked before"})
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True, required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    completed_by = fields.String(allow_none=True, required=True)

    def _shown_sla_state(self, task: Any) -> str:
        def read(name: str) -> Any:
            return task.get(name) if isinstance(task, Mapping) else getattr(task, name, None)

        return shown_state(read("status"), read("sla_state"), read("due_at"), datetime.now(UTC))


class FormDocumentSchema(Schema):
    key = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    schema = fields.Dict(required=True)
    uiSchema = fields.Dict(required=True)


class TaskStageSchema(Schema):
    """The staged time limit running on a task (私搭乱建: 停工 → 处罚 → 拆除), at its current stage."""

    number = fields.Integer(required=True, metadata={"description": "the current stage, from 1"})
    count = fields.Integer(required=True)
    name = fields.String(allow_none=True, required=True)
    names = fields.List(fields.String(allow_none=True), required=True)
    due_at = fields.DateTime(allow_none=True, required=True)
    next_name = fields.String(allow_none=True, required=True,
                              metadata={"description": "null on the last stage: completing the task ends it"})


class ExtensionOfferSchema(Schema):
    """More time may be asked beside the task (POST /tasks/{id}/extension): its limit is extendable."""

    unit = fields.String(required=True, metadata={"description": "the unit of the task's limit (the request's default)"})
    pending = fields.Boolean(required=True, metadata={"description": "a request already waits for a decision"})


class TaskDetailSchema(TaskSchema):
    form_definition = fields.Nested(FormDocumentSchema, allow_none=True, required=True)
    values = fields.Dict(required=True)
    can_work = fields.Boolean(required=True)
    case_version = fields.Integer(required=True)
    stage = fields.Nested(TaskStageSchema, allow_none=True, required=True,
                          metadata={"description": "null unless a staged time limit runs on the task"})
    extension = fields.Nested(ExtensionOfferSchema, allow_none=True, required=True,
                              metadata={"description": "null when no extension may be asked beside the task: you "
                                                       "may not work it, no limit runs, its limit is not extendable "
                                                       "(rules/sla `extendable`), or its form asks for more time"})


class StageDoneSchema(_In):
    note = fields.String(load_default="", validate=validate.Length(max=1000),
                         metadata={"description": "what was achieved (kept in the audit trail)"})


class StageDoneOutSchema(Schema):
    task = fields.Nested(TaskSchema, required=True)
    stage = fields.Nested(TaskStageSchema, required=True)


class TaskQuerySchema(PageArgs):
    scope = fields.String(load_default="mine", validate=validate.OneOf(("mine", "candidate", "department", "all")))
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "completed", "withdrawn", "any")))
    case_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    department = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    role = fields.String(load_default=None, validate=validate.Length(min=1, max=60))
    sla_state = fields.String(load_default=None, validate=validate.OneOf(SLA_STATES))
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


_ATTACHMENTS_IN_DATA = ("An attachments field lists files: `{\"id\": 17}` names a file uploaded with "
                        "POST /api/v1/attachments by the same user (bound to the case here), or one of this case's.")


class CompleteSchema(_In):
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": _ATTACHMENTS_IN_DATA})
    case_version = fields.Integer(load_default=None, metadata={"description": "optimistic lock: 409 if the case changed"})


class ReasonSchema(_In):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TransferSchema(ReasonSchema):
    to_user = fields.String(required=True, validate=validate.Length(min=1, max=80))


class ExtensionSchema(ReasonSchema):
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    unit = fields.String(load_default=None, validate=validate.OneOf(UNITS),
                         metadata={"description": "defaults to the unit the time limit is counted in"})


# --- cases --------------------------------------------------------------------------------------

class CaseSchema(Schema):
    id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    process_key = fields.String(required=True)
    process_version_id = fields.Integer(required=True)
    family = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    current_step = fields.String(allow_none=True, required=True)
    category = fields.String(allow_none=True, required=True)
    grid_cell = fields.String(allow_none=True, required=True)
    street = fields.String(allow_none=True, required=True)
    department = fields.String(allow_none=True, required=True)
    priority = fields.Integer(required=True)
    opened_by = fields.String(allow_none=True, required=True)
    opened_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    due_at = fields.DateTime(allow_none=True, required=True)
    version = fields.Integer(required=True)
    open_incidents = fields.Integer(required=True, metadata={
        "description": "open incidents keeping the case from moving (shown as 有异常 while running)"})
    display_status = fields.String(required=True, validate=validate.OneOf(DISPLAY_STATUSES), metadata={
        "description": "what the case waits for, as people read it (status stays running/completed/cancelled): "
                       "awaiting_registration 待立案, in_handling 处置中, awaiting_linked_case 等待应急联动, "
                       "awaiting_timer 等待到期提醒, incident 有异常, in_progress 办理中, completed 已办结, "
                       "cancelled 已撤销"})


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True, required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    task_id = fields.String(allow_none=True, required=True)
    task_name = fields.String(allow_none=True, required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(allow_none=True, required=True)
    details = fields.Dict(required=True)


class LinkSchema(Schema):
    case_id = fields.Integer(required=True)
    business_key = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    kind = fields.String(required=True)
    direction = fields.String(required=True)


class CaseIncidentSchema(Schema):
    id = fields.Integer(required=True)
    element = fields.String(required=True)
    element_name = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    error = fields.String(required=True)
    attempts = fields.Integer(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class CasePauseSchema(Schema):
    """The case's limits stand still (暂停计时: the applicant supplementing, a site inspection, an expert review)."""

    since = fields.DateTime(required=True)
    reason = fields.String(required=True, metadata={
        "description": "the process's reason as its analyst wrote it (等待申请人补正材料…); empty when it gave none"})
    remaining_working_days = fields.Integer(allow_none=True, required=True, metadata={
        "description": "working days the paused limits have left when they resume (the nearest one); null when "
                       "no paused limit counts working days"})


class DeadlineMarksSchema(Schema):
    """What the case page marks on the case's deadlines (engine.sla.case_marks.deadline_marks)."""

    pause = fields.Nested(CasePauseSchema, allow_none=True, required=True, metadata={
        "description": "null unless the case's limits stand still (暂停计时): due_at is then its last deadline, "
                       "not one that is running"})
    provisional_years = fields.List(fields.Integer(), required=True, metadata={
        "description": "the case's own deadline (due_at) is provisional (暂定): computed over these years, whose "
                       "official holiday calendar is not loaded; empty when it is not"})
    task_provisional_years = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer()), required=True,
                                         metadata={"description": "open task id -> the years its provisional (暂定) "
                                                                  "deadline depends on; only such tasks are listed"})


class CaseDetailSchema(CaseSchema):
    deadline_marks = fields.Nested(DeadlineMarksSchema, required=True)
    incidents = fields.List(fields.Nested(CaseIncidentSchema), required=True)
    data = fields.Dict(required=True)
    process_version = fields.Integer(required=True)
    tasks = fields.List(fields.Nested(TaskSchema), required=True)
    history = fields.List(fields.Nested(AuditEventSchema), required=True)
    links = fields.List(fields.Nested(LinkSchema), required=True)
    current_elements = fields.List(fields.String(), required=True)


class StartedCaseSchema(CaseSchema):
    """What starting a case answers: the case row, its data and the tasks the start opened. The full
    record (history, links, diagram elements, incidents) is GET /cases/{case_id}; rendering it for
    every start cost a quarter of the request."""

    data = fields.Dict(required=True)
    process_version = fields.Integer(required=True)
    tasks = fields.List(fields.Nested(TaskSchema), required=True, metadata={
        "description": "the case's open tasks after the start (the first steps to work)"})


class CaseQuerySchema(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(("running", "completed", "cancelled")))
    process_key = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    family = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    department = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    grid_cell = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    opened_from = fields.AwareDateTime(load_default=None)
    opened_to = fields.AwareDateTime(load_default=None)


class StartCaseSchema(_In):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=100))
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={"description": _ATTACHMENTS_IN_DATA})


class SendMessageSchema(_In):
    """A BPMN message for the case (engine.messages.service.send_message; docs/families.md)."""

    message_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                                 metadata={"example": "agency_acknowledged"})
    correlation = fields.Dict(keys=fields.String(), load_default=None)
    payload = fields.Dict(keys=fields.String(), load_default=dict, metadata={"example": {"agency": "fire"}})


class CompletedSchema(Schema):
    case = fields.Nested(CaseSchema, required=True)
    created_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class AuditQuerySchema(PageArgs):
    case_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


# --- events -------------------------------------------------------------------------------------

class EventSchema(_In):
    type = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"example": "sensor.water_level"})
    source = fields.String(load_default=None, validate=validate.Length(max=200))
    occurred_at = fields.AwareDateTime(load_default=None)
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class EventAcceptedSchema(Schema):
    accepted = fields.Boolean(required=True)
    actions = fields.List(fields.Dict(), required=True)


# --- attachments --------------------------------------------------------------------------------

class AttachmentUploadSchema(_In):
    """multipart/form-data: the file, and optionally the form it is for (its field's accept and size cap
    are then checked now, not only when the file is named in a completion or start)."""

    file = Upload(required=True, metadata={"description": "the file (one per request)"})
    task_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36),
                            metadata={"description": "an open task you may work, whose form names `field`"})
    process_key = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                                metadata={"description": "a process you may start, whose start form names `field`"})
    field = fields.String(load_default=None, validate=validate.Length(min=1, max=100),
                          metadata={"description": "the attachments field the file is for (needs task_id or process_key)"})


class AttachmentSchema(Schema):
    """A stored file not yet on any case: name it as `{"id": …}` in an attachments field of a completion or
    start within CASEGRID_UPLOAD_ORPHAN_HOURS (default 24), or it is deleted."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, attribute="file_name")
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "where the file is served once it is on a case"})
    field = fields.String(required=True, allow_none=True, attribute="field_name")
    stored_at = fields.DateTime(required=True)


# --- incidents ----------------------------------------------------------------------------------

INCIDENT_STATUSES = ("open", "resolved", "cancelled")


class IncidentSchema(Schema):
    """A case that cannot move (blocking) or a user's step that failed (kind user_action, not blocking)."""

    id = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True, required=True, metadata={"description": "null for a failed start"})
    business_key = fields.String(allow_none=True, required=True)
    case_title = fields.String(allow_none=True, required=True)
    case_status = fields.String(allow_none=True, required=True)
    process_key = fields.String(allow_none=True, required=True)
    element = fields.String(required=True, metadata={"description": "BPMN element id", "example": "count"})
    element_name = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True, metadata={"description": "script, message, timer, worker or user_action"})
    blocking = fields.Boolean(required=True)
    retryable = fields.Boolean(required=True)
    error = fields.String(required=True)
    attempts = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INCIDENT_STATUSES))
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True, required=True)
    resolved_by = fields.String(allow_none=True, required=True)


class IncidentQuerySchema(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(INCIDENT_STATUSES))
    case_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    blocking = fields.Boolean(load_default=None, metadata={
        "description": "true: cases that cannot move; false: failed user actions only"})


class IncidentCancelSchema(_In):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
