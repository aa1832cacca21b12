"""Map and screen handlers: parse, authorise (ability), one read query in one transaction, render."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Response, current_app, render_template, request
from marshmallow import ValidationError
from sqlalchemy import select

from engine.config import settings
from engine.definitions.catalogue import category_labels
from engine.definitions.service import process_summaries
from engine.org.abilities import Ability
from engine.situation.catalogue import family_names
from engine.situation.map_view import MapFilter, district_outlines, map_view
from engine.situation.screen_view import screen_view
from engine.store.models.org import OrgUnit
from web.db import transaction
from web.i18n import _, current_locale
from web.identity import ability_required, current_user
from web.lenient import load_input
from web.maps import map_scripts, outlines_json, tile_layer, tiles_payload, with_map_policy
from web.situation import bp
from web.situation.inputs import FILTER_ERROR_TEXT, MapQuery, ScreenQuery
from web.situation.payload import family_label, map_json, screen_json, texts

SCREEN_REFRESH_SECONDS = 15


def _filters(args: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The filters asked for; a filter that does not parse is left out and named (the map still shows)."""
    schema = MapQuery()
    try:
        return schema.load(args), []
    except ValidationError as exc:
        wrong = sorted(exc.messages) if isinstance(exc.messages, dict) else []
    # A wrong end drops its start too: kept alone, a reversed period's start shows an empty map as if true.
    dropped = set(wrong) | ({"since", "until"} if {"since", "until"} & set(wrong) else set())
    kept = {k: v for k, v in args.items() if k not in dropped}
    try:
        return schema.load(kept), wrong
    except ValidationError:
        return schema.load({}), wrong


def _period(args: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    tz = settings().tz
    since = datetime.combine(args["since"], time.min, tz).astimezone(UTC) if args.get("since") else None
    until = (datetime.combine(args["until"], time.min, tz) + timedelta(days=1)).astimezone(UTC) \
        if args.get("until") else None
    return since, until


def _choices(session: Any, families: dict[str, str], categories: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    lang = current_locale()
    rows = session.execute(select(OrgUnit.code, OrgUnit.name_zh, OrgUnit.name_en)
                           .where(OrgUnit.kind == "department").order_by(OrgUnit.code)).all()
    departments = [(code, (en if lang == "en" and en else zh)) for code, zh, en in rows]
    classes: dict[str, str] = {}
    for code, label in categories.items():
        text = label.get(lang) or label.get("zh") if isinstance(label, dict) else str(label)
        name = str(text).split(" ", 1)[-1].split("·", 1)[0]
        classes.setdefault(code[:2], name)
    return {"families": sorted(((f, family_label(f, families)) for f in families), key=lambda kv: kv[1]),
            "departments": departments,
            "classes": sorted(classes.items())}


@bp.get("/map")
@ability_required(Ability.SEE_MAP)
def case_map() -> Any:
    args, wrong = _filters(request.args.to_dict())
    since, until = _period(args)
    with transaction(readonly=True) as session:
        outlines = district_outlines(session)
        families, categories = family_names(session), category_labels(session)
        choices = _choices(session, families, categories)
        # A kind of case or department the selects do not offer is left out and said, as a filter that does
        # not parse: the select cannot show it, and would read 全部 over an empty map.
        for name, offered in (("family", choices["families"]), ("department", choices["departments"])):
            if args[name] is not None and args[name] not in {code for code, _label in offered}:
                args[name] = None
                wrong.append(name)
        flt = MapFilter(family=args["family"], category=args["category"], department=args["department"],
                        opened_from=since, opened_to=until)
        view = map_view(session, current_user().actor, flt, datetime.now(UTC))
        has_processes = bool(process_summaries(session))
    payload = {"outlines": outlines_json(outlines), "map": map_json(view, families, categories), "texts": texts(),
               "tiles": tiles_payload()}
    return with_map_policy(render_template(
        "situation/map.html", payload=payload, view=view, args=args, choices=choices,
        wrong=[_(FILTER_ERROR_TEXT)] if wrong else [], has_outlines=bool(outlines), has_processes=has_processes,
        family_label=lambda f: family_label(f, families), map_scripts=map_scripts(), tiles=tile_layer()))


def _screen_payload() -> dict[str, Any]:
    with transaction(readonly=True) as session:
        screen = screen_view(session, current_user().actor, datetime.now(UTC), settings().tz)
        families, categories = family_names(session), category_labels(session)
        outlines = district_outlines(session)
    return {"screen": screen_json(screen, families, categories), "outlines": outlines_json(outlines)}


@bp.get("/screen")
@ability_required(Ability.OPERATIONS_SCREEN)
def screen() -> Any:
    # A wall display may ask for another pace (?refresh=5); anything else falls back to the default.
    asked = load_input(ScreenQuery(), request.args.to_dict()) if _parses(ScreenQuery(), request.args) else {}
    every = asked.get("refresh") or current_app.config.get("SCREEN_REFRESH_SECONDS", SCREEN_REFRESH_SECONDS)
    payload = _screen_payload()
    return render_template("situation/screen.html", payload=payload, texts=texts(), refresh_seconds=every)


def _parses(schema: Any, args: Any) -> bool:
    return not schema.validate(args.to_dict())


@bp.get("/screen/data.json")
@ability_required(Ability.OPERATIONS_SCREEN)
def screen_data() -> Any:
    """The screen's figures; polled with If-None-Match: 304 while nothing changed (the time shown aside)."""
    payload = _screen_payload()
    figures = {k: v for k, v in payload["screen"].items() if k != "generated"}
    body = json.dumps(figures, ensure_ascii=False, sort_keys=True)
    etag = hashlib.sha256(f"{current_locale()}|{body}".encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(json.dumps(payload, ensure_ascii=False), mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response
