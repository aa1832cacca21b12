"""Tasks: list (mine, candidate, department), detail with form, claim, unclaim, complete, transfer,
return, request an extension, mark the current stage of a staged time limit done. Refusals are 403 and change nothing."""
from __future__ import annotations

from typing import Any

from engine.commands import tasks as task_commands
from engine.sla.task_extensions import extension_offer
from engine.sla.task_stages import task_stage
from engine.tasks.queries import TaskFilter, list_tasks
from engine.tasks.view import authorised_item, task_view
from web.api.blueprint import Blueprint
from web.api.case_rows import case_out
from web.api.schemas import (
    CompletedSchema,
    CompleteSchema,
    ExtensionSchema,
    ReasonSchema,
    StageDoneOutSchema,
    StageDoneSchema,
    TaskDetailSchema,
    TaskQuerySchema,
    TaskSchema,
    TransferSchema,
    page,
    page_of,
)
from web.db import transaction
from web.i18n import current_locale
from web.identity import current_user

PREFIX = "/tasks"
blp = Blueprint("api_tasks", __name__, description="Human tasks and the actions on them")


@blp.get("")
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, page_of(TaskSchema))
def list_(args: dict[str, Any]) -> Any:
    flt = TaskFilter(scope=args["scope"], status=args["status"], case_id=args["case_id"],
                     department=args["department"], role=args["role"], sla_state=args["sla_state"], text=args["q"])
    with transaction(readonly=True) as session:
        rows, total = list_tasks(session, current_user().actor, flt, args["limit"], args["offset"])
    return page(rows, total, args)


@blp.get("/<item_id>")
@blp.response(200, TaskDetailSchema)
def detail(item_id: str) -> Any:
    with transaction(readonly=True) as session:
        view = task_view(session, item_id, current_user().actor)
        stage = task_stage(session, view.item)
        extension = extension_offer(session, view.item) if view.can_work else None
    out = {name: getattr(view.item, name) for name in
           ("id", "case_id", "task_name", "task_spec", "form_key", "role", "department", "grid_cell",
            "candidate_users", "assignee", "status", "sla_state", "created_at", "due_at", "completed_at",
            "completed_by")}
    out.update(values=view.values, can_work=view.can_work, case_version=view.case.version,
               form_definition=view.form.document if view.form is not None else None, stage=stage,
               extension=extension)
    return out


@blp.post("/<item_id>/claim")
@blp.response(200, TaskSchema)
def claim(item_id: str) -> Any:
    actor = current_user().actor
    with transaction() as session:
        return task_commands.claim(session, actor, item_id)


@blp.post("/<item_id>/unclaim")
@blp.response(200, TaskSchema)
def unclaim(item_id: str) -> Any:
    actor = current_user().actor
    with transaction() as session:
        return task_commands.unclaim(session, actor, item_id)


@blp.post("/<item_id>/complete")
@blp.arguments(CompleteSchema)
@blp.response(200, CompletedSchema)
def complete(body: dict[str, Any], item_id: str) -> Any:
    """Validate `data` against the task's form (422 with field errors) and advance the case."""
    actor = current_user().actor
    with transaction() as session:
        done = task_commands.complete(session, actor, item_id, body["data"], lang=current_locale(),
                                      expected_case_version=body["case_version"])
        return {"case": case_out(session, done.case), "created_tasks": done.opened}


@blp.post("/<item_id>/transfer")
@blp.arguments(TransferSchema)
@blp.response(200, TaskSchema)
def transfer(body: dict[str, Any], item_id: str) -> Any:
    actor = current_user().actor
    with transaction() as session:
        return task_commands.transfer(session, actor, item_id, body["to_user"], body["reason"])


@blp.post("/<item_id>/return")
@blp.arguments(ReasonSchema)
@blp.response(200, TaskSchema)
def return_(body: dict[str, Any], item_id: str) -> Any:
    """Return the task to whoever routed it, with a mandatory reason."""
    actor = current_user().actor
    with transaction() as session:
        task_commands.return_task(session, actor, item_id, body["reason"], lang=current_locale())
        return authorised_item(session, item_id, actor)


@blp.post("/<item_id>/extension")
@blp.arguments(ExtensionSchema)
@blp.response(202, TaskSchema)
def request_extension(body: dict[str, Any], item_id: str) -> Any:
    """Ask a supervisor for more time; the deadline moves only when approved. 409, changing nothing, when the
    task's limit may not be extended (its policy is not `extendable`, e.g. licensing acceptance) or its form
    asks for more time itself; the task detail's `extension` is null then."""
    actor = current_user().actor
    with transaction() as session:
        task_commands.request_extension(session, actor, item_id, body["amount"], body["unit"], body["reason"])
        return authorised_item(session, item_id, actor)


@blp.post("/<item_id>/stage")
@blp.arguments(StageDoneSchema)
@blp.response(200, StageDoneOutSchema)
def stage_done(body: dict[str, Any], item_id: str) -> Any:
    """The current stage of the task's staged time limit is done (私搭乱建: work stopped, penalty decided);
    the next stage's clock starts now. 409 on the last stage or without a staged limit, 403 for someone
    who may not work the task; either way nothing changes."""
    actor = current_user().actor
    with transaction() as session:
        task_commands.stage_done(session, actor, item_id, body["note"])
        item = authorised_item(session, item_id, actor)
        return {"task": item, "stage": task_stage(session, item)}
