"""Bulletin handlers: the list (one read query), a download (the stored file, or the English one rendered
from the stored figures), and producing one on demand (one command, one transaction)."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import fields, validate

from engine.bulletins.service import bulletin_file, definitions, list_bulletins, period_words
from engine.commands.bulletins import run_bulletin
from engine.errors import Conflict, InvalidInput, NotFound
from engine.org.abilities import Ability
from web.bulletins import bp
from web.db import transaction
from web.errors import error_text
from web.files import content_disposition
from web.i18n import _, current_locale
from web.identity import ability_required, current_user
from web.lenient import LenientSchema, load_input, page_field, page_offset

PAGE_SIZE = 50


class PageQuery(LenientSchema):
    page = page_field()


class FileQuery(LenientSchema):
    lang = fields.String(load_default=None, validate=validate.OneOf(("zh", "en")))


class RunInput(LenientSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    period = fields.String(required=True, validate=validate.Length(min=1, max=20))


@bp.get("/bulletins")
@ability_required(Ability.SEE_BULLETINS)
def index() -> Any:
    args = load_input(PageQuery(), request.args.to_dict())
    return _index_page(args["page"])


def _index_page(page: int, asked: dict[str, str] | None = None, refusal: str | None = None,
                status: int = 200) -> Any:
    """The list, and the form to produce one; a refused run comes back here with what was typed and why."""
    lang = current_locale()
    may_publish = current_user().actor.may(Ability.PUBLISH_BULLETINS)
    with transaction(readonly=True) as session:
        rows, total = list_bulletins(session, limit=PAGE_SIZE, offset=page_offset(page, PAGE_SIZE))
        listed = [(b, period_words(b, lang)) for b in rows]
        defined = sorted(definitions(session).values(), key=lambda d: d.name) if may_publish else []
    return render_template("bulletins/index.html", bulletins=listed, total=total, page=page,
                           definitions=defined, may_publish=may_publish, lang=lang, asked=asked or {},
                           refusal=refusal), status


@bp.get("/bulletins/<int(max=2147483647):bulletin_id>.<any(pdf, xlsx):fmt>")
@ability_required(Ability.SEE_BULLETINS)
def download(bulletin_id: int, fmt: str) -> Any:
    args = load_input(FileQuery(), request.args.to_dict())
    with transaction(readonly=True) as session:
        content, media_type, name = bulletin_file(session, bulletin_id, fmt, args["lang"] or current_locale())
    response = current_app.response_class(content, content_type=media_type)
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/bulletins/run")
@ability_required(Ability.PUBLISH_BULLETINS)
def run() -> Any:
    asked = {k: str(request.form.get(k, ""))[:60] for k in ("name", "period")}
    try:
        data = load_input(RunInput(), request.form.to_dict())
    except InvalidInput as exc:
        # A period typed (pasted) longer than any period is not one: say how a period is written.
        too_long = set(exc.details or {}) == {"period"} and request.form.get("period", "").strip()
        return _index_page(1, asked, _("A period is written like 2026-11, 2026-W45 or 2026-Q4.") if too_long
                           else _("Choose a bulletin and write its period."), 422)
    try:
        with transaction() as session:
            produced = run_bulletin(session, current_user().actor, data["name"], data["period"])
            title = produced.bulletin.title_zh if current_locale() == "zh" else (
                produced.bulletin.title_en or produced.bulletin.title_zh)
            words = period_words(produced.bulletin, current_locale())
    except (InvalidInput, Conflict, NotFound) as exc:
        # Beside the period, with the form as it was typed: an error page would lose both.
        return _index_page(1, asked, error_text(exc), exc.status)
    flash(_("Produced: {title} ({period}).", title=title, period=words) if produced.created else
          _("Recomputed: {title} ({period}).", title=title, period=words))
    return redirect(url_for("bulletins.index"))
