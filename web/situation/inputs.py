"""marshmallow schema for the map's query string (filters)."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from web.lenient import FILTER_DATE_RANGE, LenientSchema

CODE = validate.Regexp(r"^[A-Za-z0-9_.\-]{1,40}$")


class MapQuery(LenientSchema):
    family = fields.String(load_default=None, validate=CODE)
    category = fields.String(load_default=None, validate=CODE)
    department = fields.String(load_default=None, validate=CODE)
    since = fields.Date(load_default=None, validate=FILTER_DATE_RANGE)  # local dates, both included
    until = fields.Date(load_default=None, validate=FILTER_DATE_RANGE)

    @validates_schema
    def _ordered(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("the period must start before it ends", "until")


FILTER_ERROR_TEXT = "This filter was not understood and is left out."


class ScreenQuery(LenientSchema):
    refresh = fields.Integer(load_default=None, validate=validate.Range(min=2, max=600))  # seconds between polls
