"""Dashboard handlers: parse, authorise (engine scope rules), one engine call in one transaction, render."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.commands import supervision
from engine.config import settings
from engine.dashboard.view import dashboard
from engine.errors import InvalidInput
from engine.org.abilities import Ability
from engine.org.service import display_names
from engine.sla.notify import due_notices, mark_read, notifications_page
from engine.store.models.cases import Case
from engine.tasks.next_step import holders
from web.dashboard import bp
from web.dashboard.charts import chart_data
from web.dashboard.inputs import PERIOD_DAYS, DecisionInput, NotificationsQuery, UrgeInput, load_period
from web.dashboard.notices import notification_text, people_named, sender_name
from web.dashboard.period import period_bounds
from web.db import transaction
from web.holders import holders_text
from web.i18n import _, current_locale
from web.identity import ability_required, current_user
from web.lenient import MAX_PAGE, load_input, page_offset

NOTIFICATIONS_PAGE_SIZE = 50


def _back() -> Any:
    """Back to the dashboard with the period the user was looking at (only our own path, never a URL)."""
    target = request.form.get("next", "")
    if not target.startswith("/dashboard") or target.startswith("//"):
        target = url_for("dashboard.index")
    return redirect(target)


@bp.get("/dashboard")
@ability_required(Ability.DASHBOARD)
def index() -> Any:
    # A period that does not parse or ends before it starts is said beside its field, over the default
    # period, instead of replacing the page with an error.
    args, period_errors = load_period(request.args.to_dict())
    now = datetime.now(UTC)
    tz = settings().tz
    since, until = period_bounds(args, now, tz)
    user = current_user()
    with transaction(readonly=True) as session:
        view = dashboard(session, user.actor, now, since, until, tz, args["process_key"], current_locale())
    return render_template("dashboard/index.html", view=view, args=args, period_days=PERIOD_DAYS,
                           period_errors=period_errors, entered=request.args,
                           may_urge=user.may(Ability.URGE), may_decide=user.may(Ability.DECIDE_EXTENSIONS),
                           charts=chart_data(view, current_locale()), now=now), 422 if period_errors else 200


@bp.post("/dashboard/cases/<int(max=2147483647):case_id>/urge")
@ability_required(Ability.URGE)
def urge(case_id: int) -> Any:
    try:
        data = load_input(UrgeInput(), request.form.to_dict())
    except InvalidInput:
        # Back to the dashboard with what was wrong: empty, or longer than the field takes.
        given = request.form.get("message", "").strip()
        flash(_("An urging may have at most 1000 characters.") if given
              else _("Write what you urge the department to do."))
        return _back()
    with transaction() as session:
        urging = supervision.urge(session, current_user().actor, case_id, data["message"])
        # Those the urging went to: whoever has each open step, which is not always the case's department
        # (a case waiting in the supervisors' own 延期审批, or with several agencies at once).
        told = holders(session, session.get(Case, urging.case_id))
    flash(_("Urged: {who} have been notified.", who=holders_text(told)) if told else _("Urged."))
    return _back()


@bp.post("/dashboard/extensions/<int(max=2147483647):extension_id>/decision")
@ability_required(Ability.DECIDE_EXTENSIONS)
def extension_decision(extension_id: int) -> Any:
    try:
        data = load_input(DecisionInput(), request.form.to_dict())
    except InvalidInput as exc:
        if set(exc.details or {}) != {"note"}:
            raise  # no decision the form offers: a tampered request
        flash(_("The note may have at most 1000 characters."))
        return _back()
    approve = data["decision"] == "approve"
    try:
        with transaction() as session:
            supervision.decide_extension(session, current_user().actor, extension_id, approve, data["note"])
    except InvalidInput:
        flash(_("Give a reason to reject an extension."))
        return _back()
    flash(_("Extension approved: the deadline has moved.") if approve else _("Extension rejected."))
    return _back()


@bp.get("/notifications")
def notifications() -> Any:
    args = load_input(NotificationsQuery(), request.args.to_dict())
    show_all = args["all"] == "1"
    with transaction(readonly=True) as session:
        rows, total = notifications_page(session, current_user().username, unread_only=not show_all,
                                         offset=page_offset(args["page"], NOTIFICATIONS_PAGE_SIZE),
                                         limit=NOTIFICATIONS_PAGE_SIZE)
        people = display_names(session, [*(n.created_by for n in rows), *people_named(rows)], current_locale())
        notices = due_notices(session, rows)
    now = datetime.now(UTC)
    texts = {n.id: notification_text(n, notices.get(n.id), now, people) for n in rows}
    senders = {n.created_by: sender_name(n.created_by, people) for n in rows}
    # The pager's links keep the choice of all or unread only.
    pager_args = {"all": "1"} if show_all else {}
    return render_template("dashboard/notifications.html", rows=rows, show_all=show_all, senders=senders,
                           texts=texts, page=args["page"], total=total, page_size=NOTIFICATIONS_PAGE_SIZE,
                           pager_args=pager_args)


@bp.post("/notifications/<int(max=2147483647):notification_id>/read")
def notification_read(notification_id: int) -> Any:
    with transaction() as session:
        mark_read(session, notification_id, current_user().username)
    # Back to the page the reader was on, with 全部 kept if chosen (a page that empties leads to the last
    # one). What the form carries is only read as those two; anything else is the first page of unread.
    back: dict[str, Any] = {}
    if request.form.get("all") == "1":
        back["all"] = "1"
    page = request.form.get("page", "")
    if page.isascii() and page.isdigit() and 1 < int(page) <= MAX_PAGE:
        back["page"] = int(page)
    return redirect(url_for("dashboard.notifications", **back))
