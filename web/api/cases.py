"""Cases: start, list/filter, detail with tasks and history, cancel."""
from __future__ import annotations

from typing import Any

from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.view import case_view, open_tasks
from engine.commands import cases as case_commands
from engine.commands.messages import deliver_message
from engine.definitions.versions import runtime_for
from web.api.blueprint import Blueprint
from web.api.case_rows import case_out, cases_out
from web.api.schemas import (
    CaseDetailSchema,
    CaseQuerySchema,
    CaseSchema,
    ReasonSchema,
    SendMessageSchema,
    StartCaseSchema,
    StartedCaseSchema,
    page,
    page_of,
)
from web.db import transaction
from web.i18n import current_locale
from web.identity import current_user

PREFIX = "/cases"
blp = Blueprint("api_cases", __name__, description="Cases: start, search, read, cancel")


def _detail(session: Any, case_id: int) -> dict[str, Any]:
    view = case_view(session, case_id, current_user().actor)
    out = case_out(session, view.case)
    out.update(data=view.data, process_version=view.version.version, tasks=view.items, history=view.events,
               links=[vars(link) for link in view.links], current_elements=view.current_elements,
               incidents=view.incidents,
               # As the case page marks them (case_view reads them once with engine.sla.case_marks.deadline_marks).
               deadline_marks={"pause": view.pause, "provisional_years": list(view.case_provisional),
                               "task_provisional_years": {item: list(years)
                                                          for item, years in view.provisional.items()}})
    return out


@blp.get("")
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, page_of(CaseSchema))
def list_cases(args: dict[str, Any]) -> Any:
    flt = CaseFilter(status=args["status"], process_key=args["process_key"], family=args["family"],
                     department=args["department"], grid_cell=args["grid_cell"], category=args["category"],
                     text=args["q"], opened_from=args["opened_from"], opened_to=args["opened_to"])
    with transaction(readonly=True) as session:
        rows, total = list_visible_cases(session, current_user().actor, flt, args["limit"], args["offset"])
        return page(cases_out(session, rows), total, args)


@blp.post("")
@blp.arguments(StartCaseSchema)
@blp.response(201, StartedCaseSchema)
def start(body: dict[str, Any]) -> Any:
    """Start a case; `data` is validated against the start event's form (422 with field errors).

    Answers the case with its data and the tasks the start opened; GET /cases/{case_id} has the full
    record (history, links, incidents)."""
    with transaction() as session:
        case = case_commands.start(session, current_user().actor, body["process_key"], body["data"],
                                   version=body["version"], lang=current_locale())
        out = case_out(session, case)
        out.update(data=case.data, process_version=runtime_for(session, case.process_version_id).version,
                   tasks=open_tasks(session, case.id))
        return out


@blp.get("/<int(max=2147483647):case_id>")
@blp.response(200, CaseDetailSchema)
def detail(case_id: int) -> Any:
    with transaction(readonly=True) as session:
        return _detail(session, case_id)


@blp.post("/<int(max=2147483647):case_id>/cancel")
@blp.arguments(ReasonSchema)
@blp.response(200, CaseSchema)
def cancel(body: dict[str, Any], case_id: int) -> Any:
    with transaction() as session:
        return case_out(session, case_commands.cancel(session, current_user().actor, case_id, body["reason"]))


@blp.post("/<int(max=2147483647):case_id>/messages")
@blp.arguments(SendMessageSchema)
@blp.response(200, CaseDetailSchema)
def send_message(body: dict[str, Any], case_id: int) -> Any:
    """Deliver a BPMN message to this running case (e.g. an agency's on-scene report); 409 when the case
    does not wait for it, 422 when the message's form refuses the payload."""
    with transaction() as session:
        deliver_message(session, current_user().actor, body["message_name"], case_id=case_id,
                        correlation=body["correlation"], payload=body["payload"], lang=current_locale())
        return _detail(session, case_id)
