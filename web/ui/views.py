"""UI handlers. Each: parse (marshmallow), authorise (engine access rules), one engine call, render."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wsgi import wrap_file

from engine.attachments.service import open_attachment
from engine.cases.access import CaseFilter, list_visible_cases
from engine.cases.display_status import DisplayStatus, display_status, display_statuses
from engine.cases.starting import authorise_start, startable_for, suggested_answers
from engine.cases.view import case_view
from engine.commands import cases as case_commands
from engine.commands import tasks as task_commands
from engine.commands.messages import deliver_message
from engine.config import settings
from engine.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.forms import coerce_html_form
from engine.forms.i18n import tr
from engine.incidents.access import may_operate
from engine.org.service import display_names
from engine.sla.case_marks import open_pauses
from engine.sla.task_extensions import extension_offer
from engine.sla.task_stages import task_stage
from engine.store.models.tasks import WorkItem
from engine.store.statuses import CaseStatus
from engine.tasks.inbox import inbox as inbox_rows
from engine.tasks.next_step import next_step
from engine.tasks.queries import TaskFilter
from engine.tasks.service import return_offered_in_form, returnable
from engine.tasks.view import authorised_item, posted_values, task_view, transfer_targets
from web.db import transaction
from web.errors import error_text
from web.files import content_disposition, file_store, posted_uploads
from web.forms.case_data import case_data
from web.forms.render import render_form
from web.holders import holders_text
from web.i18n import (
    _,
    current_locale,
    english_names,
    lane_label,
    local_time,
    localized_name,
    task_name,
    version_name,
)
from web.identity import current_user
from web.lenient import load_input, page_offset
from web.maps import report_picker, with_map_policy
from web.ui.diagram import readable_diagram
from web.ui.inputs import CaseQuery, ExtensionInput, InboxQuery, ReasonInput, StageInput, TransferInput

bp = Blueprint("ui", __name__)
PAGE_SIZE = 25


def _csrf_field() -> Markup:
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">')


SEARCH_MAX = 100  # the search box's maxlength; InboxQuery and CaseQuery allow as much


def _list_args(schema: Any) -> tuple[dict[str, Any], str | None]:
    """A list page's query. A search text pasted longer than the box takes is cut to it, and the page says
    so beside the box, instead of a dead-end error page (the other fields are still checked)."""
    data = request.args.to_dict()
    note = None
    text = data.get("q")
    if text is not None and len(text) > SEARCH_MAX:
        data["q"] = text[:SEARCH_MAX]
        note = _("The search text was too long; only its first {n} characters were searched.", n=SEARCH_MAX)
    return load_input(schema, data), note


@bp.get("/")
def inbox() -> Any:
    args, search_note = _list_args(InboxQuery())
    user = current_user()
    offset = page_offset(args["page"], PAGE_SIZE)
    flt = TaskFilter(scope=args["view"], text=args["q"], sla_state=args["sla_state"])
    with transaction(readonly=True) as session:
        rows, total = inbox_rows(session, user.actor, flt, limit=PAGE_SIZE, offset=offset, lang=current_locale())
        claimable: list[Any] = []
        if args["view"] == "mine":
            # The inbox's second list: unclaimed tasks of my roles, department and grid cells.
            claimable, claimable_total = inbox_rows(
                session, user.actor, TaskFilter(scope="candidate", text=args["q"], sla_state=args["sla_state"]),
                limit=PAGE_SIZE, lang=current_locale())
        else:
            claimable_total = 0
    return render_template("ui/inbox.html", args=args, rows=rows, total=total, claimable=claimable,
                           claimable_total=claimable_total, page_size=PAGE_SIZE, search_note=search_note)


def _task_page(item_id: str, errors: dict[str, Any] | None = None, values: Any = None, status: int = 200) -> Any:
    user = current_user()
    lang = current_locale()
    with transaction(readonly=True) as session:
        view = task_view(session, item_id, user.actor, lang, with_record=True)
        targets = transfer_targets(session, view.item, user.username) if view.can_work else []
        target_names = display_names(session, [t.username for t in targets], lang)
        # Each action once, where the process defines it: a return the form offers stays in the form.
        can_return = view.can_work and returnable(session, view.item) \
            and not return_offered_in_form(session, view.item, view.form)
        stage = task_stage(session, view.item)
        extension = extension_offer(session, view.item) if view.can_work else None
    form_html = None
    if view.form is not None:
        if view.can_work and view.item.assignee == user.username:
            form_html = render_form(view.form, values if values is not None else view.values, errors or {}, lang,
                                    action=url_for("ui.task_complete", item_id=item_id),
                                    extra_hidden=_csrf_field() + Markup(
                                        f'<input type="hidden" name="_case_version" value="{view.case.version}">'),
                                    script_url=url_for("static", filename="js/form-visibility.js"),
                                    field_script_url=url_for("static", filename="js/form-field.js"),
                                    case_data=view.case.data)
        elif any(value not in (None, "", []) for value in view.values.values()):
            form_html = render_form(view.form, view.values, {}, lang, readonly=True)
    form_description = tr(view.form.description, lang) if view.form is not None else ""
    return render_template("ui/task.html", view=view, form_html=form_html, targets=targets, target_names=target_names,
                           can_return=can_return, stage=stage, extension=extension,
                           form_description=form_description), status


@bp.get("/tasks/<item_id>")
def task(item_id: str) -> Any:
    return _task_page(item_id)


@bp.post("/tasks/<item_id>/complete")
def task_complete(item_id: str) -> Any:
    user = current_user()
    posted = request.form
    version = posted.get("_case_version", type=int)
    uploads = posted_uploads(request.files)
    try:
        # One transaction: the new files' rows commit with the completion or not at all.
        with transaction() as session:
            done = task_commands.complete(session, user.actor, item_id, posted=posted, lang=current_locale(),
                                          expected_case_version=version, uploads=uploads, store=file_store())
    except InvalidInput as exc:
        with transaction(readonly=True) as session:
            values = posted_values(session, authorised_item(session, item_id, user.actor), posted)
        errors = dict(exc.details) if isinstance(exc.details, dict) else {"_form": [error_text(exc)]}
        if uploads:
            # A browser cannot fill a file input again; say so rather than let the files vanish.
            errors.setdefault("_form", []).append(_("The files you chose were not kept; choose them again."))
        return _task_page(item_id, errors=errors, values=values, status=422)
    return _continue(item_id, done)


def _continue(item_id: str, done: task_commands.Completed) -> Any:
    """Where the work continues: the person's next task of the case, or the inbox saying who has it now."""
    user = current_user()
    with transaction(readonly=True) as session:
        item = session.get(WorkItem, item_id)
        nxt = next_step(session, user.actor, item, done.case, done.opened, current_locale())
        version_id = done.case.process_version_id
        finished = task_name(item, version_id)
    if nxt.item is not None:
        claimed = False
        if nxt.claim:
            try:
                with transaction() as session:
                    task_commands.claim(session, user.actor, nxt.item.id)
                claimed = True
            except (Conflict, Forbidden):
                pass  # a colleague was quicker: the page shows who holds it
        flash(_("{done} is done. The next step, {next}, is yours: it has been claimed for you.", done=finished,
                next=task_name(nxt.item, version_id)) if claimed else
              _("{done} is done. You may take the next step, {next}: claim it to work on it.", done=finished,
                next=task_name(nxt.item, version_id)))
        return redirect(url_for("ui.task", item_id=nxt.item.id))
    key = done.case.business_key
    if done.case.status == CaseStatus.COMPLETED:
        flash(_("{done} is done. Case {key} is closed.", done=finished, key=key))
    elif done.case.status == CaseStatus.CANCELLED:  # e.g. 作废 at registration
        flash(_("{done} is done. Case {key} is cancelled.", done=finished, key=key))
    elif nxt.holders:
        who = holders_text(nxt.holders, done.case.process_key, version_id)
        flash(_("{done} is done. Case {key} is now with {who}.", done=finished, key=key, who=who))
    else:
        flash(_("{done} is done. Case {key} now waits for a time limit, a message or a linked case.",
                done=finished, key=key))
    return redirect(url_for("ui.inbox"))


def _task_action(item_id: str, action: str) -> Any:
    user = current_user()
    with transaction() as session:
        if action == "claim":
            task_commands.claim(session, user.actor, item_id)
            message = _("You have claimed the task.")
        elif action == "unclaim":
            task_commands.unclaim(session, user.actor, item_id)
            message = _("The task is back in the group's inbox.")
        elif action == "transfer":
            data = load_input(TransferInput(), request.form.to_dict())
            task_commands.transfer(session, user.actor, item_id, data["to_user"], data["reason"])
            message = _("The task has been transferred to {user}.", user=data["to_user"])
        elif action == "return":
            data = load_input(ReasonInput(), request.form.to_dict())
            task_commands.return_task(session, user.actor, item_id, data["reason"], lang=current_locale())
            message = _("The task has been returned.")
        elif action == "extension":
            data = load_input(ExtensionInput(), request.form.to_dict())
            task_commands.request_extension(session, user.actor, item_id, data["amount"], data["unit"], data["reason"])
            message = _("Your extension request has been sent for approval.")
        elif action == "stage":
            data = load_input(StageInput(), request.form.to_dict())
            started = task_commands.stage_done(session, user.actor, item_id, data["note"])
            message = _("Stage done. The next stage, {name}, runs until {due}.", name=started.stage_name or "",
                        due=local_time(started.due_at))
        else:
            abort(404)
    flash(message)
    if action in ("transfer", "return"):
        return redirect(url_for("ui.inbox"))
    return redirect(url_for("ui.task", item_id=item_id))


def _action_refusal(exc: InvalidInput) -> str:
    """Name the side-panel field that was refused: after the redirect nothing on the page is marked."""
    details = exc.details or {}
    if "reason" in details:
        given = request.form.get("reason", "").strip()
        return _("The reason may have at most 1000 characters.") if given else _("Please give a reason.")
    if "amount" in details:
        return _("More time must be a whole number from 1 to 365.")
    return error_text(exc)


@bp.post("/tasks/<item_id>/<any(claim, unclaim, transfer, return, extension, stage):action>")
def task_action(item_id: str, action: str) -> Any:
    try:
        return _task_action(item_id, action)
    except InvalidInput as exc:
        flash(_action_refusal(exc))
        return redirect(url_for("ui.task", item_id=item_id))
    except Conflict as exc:
        if action not in ("stage", "extension"):
            raise
        # e.g. the last stage: completing the task ends it; a limit that may not be extended
        flash(error_text(exc))
        return redirect(url_for("ui.task", item_id=item_id))


@bp.get("/cases")
def cases() -> Any:
    args, search_note = _list_args(CaseQuery())
    flt = CaseFilter(status=args["status"], process_key=args["process_key"], text=args["q"])
    with transaction(readonly=True) as session:
        rows, total = list_visible_cases(session, current_user().actor, flt, limit=PAGE_SIZE,
                                         offset=page_offset(args["page"], PAGE_SIZE))
        displays = display_statuses(session, rows)
        pauses = open_pauses(session, (c.id for c in rows))
    return render_template("ui/cases.html", args=args, rows=rows, total=total, page_size=PAGE_SIZE,
                           displays=displays, pauses=pauses, search_note=search_note)


@bp.get("/cases/<int(max=2147483647):case_id>")
def case(case_id: int) -> Any:
    with transaction(readonly=True) as session:
        view = case_view(session, case_id, current_user().actor, lang=current_locale(), with_record=True)
    data = case_data(view.record, view.data)
    # The raw process variables (流程记录) are for operators and analysts, who fix processes.
    return render_template("ui/case.html", view=view, data=data,
                           may_see_process_record=may_operate(current_user().actor))


@bp.route("/cases/<int(max=2147483647):case_id>/messages/<name>", methods=["GET", "POST"])
def case_message(case_id: int, name: str) -> Any:
    """Report to a running case what it waits for (an agency finished, the grade changed, …) through the
    catch event's form: what POST /api/v1/cases/<id>/messages does, for people in the browser."""
    user = current_user()
    lang = current_locale()
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    status = 200
    with transaction(readonly=True) as session:
        view = case_view(session, case_id, user.actor, history_limit=1, lang=lang)
        waiting = next((m for m in view.messages if m.name == name), None)
    if waiting is None:
        raise NotFound(f"case {case_id} does not wait for message {name}", key="message.not_waited_for")
    if not waiting.reportable:
        raise Forbidden(f"{user.username} may not report {name} to case {case_id}", key="message.may_not_report",
                        params={"reporter_role": waiting.lane})
    if request.method == "POST":
        values = coerce_html_form(waiting.form, request.form, settings().tz)
        try:
            with transaction() as session:
                deliver_message(session, user.actor, name, case_id=case_id, payload=values, lang=lang)
            flash(_("{what} has been reported to the case.", what=waiting.label))
            return redirect(url_for("ui.case", case_id=case_id))
        except InvalidInput as exc:
            errors = dict(exc.details) if isinstance(exc.details, dict) else {"_form": [error_text(exc)]}
            status = 422
    form_html = render_form(waiting.form, values, errors, lang,
                            action=url_for("ui.case_message", case_id=case_id, name=name),
                            extra_hidden=_csrf_field(), script_url=url_for("static", filename="js/form-visibility.js"),
                            case_data=view.data)
    return render_template("ui/case_message.html", view=view, waiting=waiting, form_html=form_html), status


@bp.get("/cases/<int(max=2147483647):case_id>/diagram.bpmn")
def case_diagram(case_id: int) -> Any:
    """The diagram of the version the case runs on, for the bpmn-js viewer on the case page."""
    with transaction(readonly=True) as session:
        view = case_view(session, case_id, current_user().actor, history_limit=1)
    if current_locale() == "en":
        english = english_names().version(view.version.id)
        process = version_name(view.version)
        xml = readable_diagram(view.version.bpmn_xml, lane_label, lambda _name: process,
                               {element: en for element, (_zh, en) in english.names.elements.items()} if english else None)
    else:
        xml = readable_diagram(view.version.bpmn_xml, lane_label, localized_name)
    return xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.get("/attachments/<int(max=2147483647):attachment_id>")
def attachment(attachment_id: int) -> Any:
    """The file, if the user may see its case; 404 otherwise, as for an id that does not exist."""
    with transaction(readonly=True) as session:
        opened = open_attachment(session, file_store(), attachment_id, current_user().actor)
    response = current_app.response_class(wrap_file(request.environ, opened.stream),
                                          content_type=opened.content_type, direct_passthrough=True)
    response.content_length = opened.size
    response.headers["Content-Disposition"] = content_disposition(opened.name)
    # Served as the type the uploader declared, so never let a browser guess another, and never
    # run it as a page of this site even if one tried.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/start")
def start() -> Any:
    with transaction(readonly=True) as session:
        entries = startable_for(session, current_user().actor)
    return render_template("ui/start.html", entries=entries)


@bp.route("/start/<process_key>", methods=["GET", "POST"])
def start_process(process_key: str) -> Any:
    user = current_user()
    lang = current_locale()
    errors: dict[str, Any] = {}
    values: Any = {}
    status = 200
    if request.method == "POST":
        uploads = posted_uploads(request.files)
        try:
            # One transaction: the files' rows are bound to the new case, or neither is kept.
            with transaction() as session:
                created = case_commands.start(session, user.actor, process_key, posted=request.form, lang=lang,
                                              uploads=uploads, store=file_store())
                waits = display_status(session, created).status
            # A report is not a registered case (立案) until the dispatcher registers it: say what happened.
            flash(_("Report {key} has been received; it waits for the dispatcher to register it.",
                    key=created.business_key) if waits == DisplayStatus.AWAITING_REGISTRATION
                  else _("Case {key} has been opened.", key=created.business_key))
            return redirect(url_for("ui.case", case_id=created.id))
        except InvalidInput as exc:
            errors = dict(exc.details) if isinstance(exc.details, dict) else {"_form": [error_text(exc)]}
            if uploads:
                # A browser cannot fill a file input again; say so rather than let the files vanish.
                errors.setdefault("_form", []).append(_("The files you chose were not kept; choose them again."))
            status = 422
    with transaction(readonly=True) as session:
        # A form that would be refused when sent is refused when asked for (403 case.may_not_start, in words).
        entry = authorise_start(session, process_key, None, user.actor)
        picker = report_picker(session, entry.form)
    if entry.form is not None and request.method == "POST":
        values = entry.form.coerce_html_form(request.form)
    elif entry.form is not None:
        values = suggested_answers(entry.form, user.actor)  # a grid worker's own cell and channel
    form_html = render_form(entry.form, values, errors, lang, action=url_for("ui.start_process", process_key=process_key),
                            extra_hidden=_csrf_field(),
                            script_url=url_for("static", filename="js/form-visibility.js"),
                            field_script_url=url_for("static", filename="js/form-field.js"),
                            picker=picker) if entry.form else None
    page = render_template("ui/start_form.html", entry=entry, form_html=form_html), status
    return with_map_policy(page) if picker else page
