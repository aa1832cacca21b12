"""marshmallow schemas for the dashboard's query string and action forms."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from web.lenient import LenientSchema

PERIOD_DAYS = (7, 30, 90, 365)


class PeriodQuery(LenientSchema):
    """A period ending now (`days`), or explicit local dates `since`..`until` (both included)."""

    days = fields.Integer(load_default=30, validate=validate.OneOf(PERIOD_DAYS))
    since = fields.Date(load_default=None)
    until = fields.Date(load_default=None)
    process_key = fields.String(load_default=None, validate=validate.Length(max=100))

    @validates_schema
    def _ordered(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("the period must start before it ends", "until")


class UrgeInput(LenientSchema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DecisionInput(LenientSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    note = fields.String(load_default="", validate=validate.Length(max=1000))
