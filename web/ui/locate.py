"""Which grid cell a point lies in, for the report form's map picker (web/static/js/map-picker.js): the
same lookup a report giving that point gets when it is sent (engine.cases.territory), so the cell the
picker names is the cell the case will have. The answer on submit is still the one that counts."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.cases.territory import located_cell, outside_message
from web.db import transaction
from web.i18n import current_locale, unit_name
from web.lenient import load_input
from web.ui.inputs import PointQuery
from web.ui.views import bp


@bp.get("/locate")
def locate_point() -> Any:
    point = load_input(PointQuery(), request.args.to_dict())
    with transaction(readonly=True) as session:
        cell = located_cell(session, point["latitude"], point["longitude"])
    if cell is None:
        return jsonify(cell=None, name=None, message=outside_message(current_locale()))
    return jsonify(cell=cell, name=unit_name(cell), message=None)
