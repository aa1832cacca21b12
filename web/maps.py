"""The district map on pages: the outlines that /map, /screen and the report form's picker draw (read
by engine.situation.map_view.district_outlines, shaped here once), the optional tile layer under them
(web.maptiles) and the Content-Security-Policy of the pages that draw them."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for
from shapely.geometry import shape
from sqlalchemy.orm import Session

from engine.forms import FormDefinition
from engine.situation.map_view import Outline, district_outlines
from web.forms.picker import MapPicker
from web.forms.viewmodel import location_target
from web.i18n import _, current_locale
from web.maptiles import TileLayer, map_policy

SCRIPTS = ("vendor/echarts/echarts.min.js", "js/map-tiles.js", "js/case-map.js")  # in load order


def _name(outline: Outline) -> str:
    return (outline.name_en if current_locale() == "en" and outline.name_en else outline.name_zh) or _("Unnamed")


def outlines_json(outlines: list[Outline]) -> dict[str, Any]:
    """Grid cells as the map's regions (named by code, shown by name); streets and communities as borders
    and labels."""
    cells = [o for o in outlines if o.kind == "grid_cell"]
    features = [{"type": "Feature", "properties": {"name": o.code}, "geometry": o.geometry} for o in cells]

    def rings(o: Outline) -> list[list[list[float]]]:
        polygons = o.geometry["coordinates"] if o.geometry.get("type") == "MultiPolygon" else [o.geometry["coordinates"]]
        return [polygon[0] for polygon in polygons]

    def label(o: Outline) -> dict[str, Any]:
        point = shape(o.geometry).representative_point()
        return {"name": _name(o), "value": [round(point.x, 6), round(point.y, 6)]}

    return {
        "cells": {"type": "FeatureCollection", "features": features},
        "cellNames": {o.code: _name(o) for o in cells},
        "streets": [ring for o in outlines if o.kind == "street" for ring in rings(o)],
        "communities": [ring for o in outlines if o.kind == "community" for ring in rings(o)],
        "streetLabels": [label(o) for o in outlines if o.kind == "street"],
    }


def tile_layer() -> TileLayer | None:
    return current_app.config.get("MAP_TILES")


def tiles_payload() -> dict[str, Any] | None:
    tiles = tile_layer()
    return tiles.payload() if tiles else None


def map_scripts() -> list[str]:
    return [url_for("static", filename=name) for name in SCRIPTS]


def with_map_policy(response: Any) -> Response:
    """A page that draws the map loads images from this site, and from the tile server only when one is set."""
    made = current_app.make_response(response)
    made.headers["Content-Security-Policy"] = map_policy(tile_layer())
    return made


def report_picker(session: Session, form: FormDefinition | None) -> MapPicker | None:
    """The map picker for a start form that asks for a point, in a district whose grid cells are drawn;
    None otherwise (the form keeps 使用当前位置 and typed coordinates)."""
    if form is None or location_target(form) is None:
        return None
    outlines = district_outlines(session)
    if not any(o.kind == "grid_cell" for o in outlines):
        return None
    tiles = tile_layer()
    return MapPicker(data={"outlines": outlines_json(outlines), "tiles": tiles.payload() if tiles else None},
                     locate_url=url_for("ui.locate_point"),
                     scripts=(*map_scripts(), url_for("static", filename="js/map-picker.js")),
                     attribution=tiles.attribution if tiles else "")
