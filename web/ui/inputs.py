"""marshmallow schemas for what the UI pages accept (query strings and posted action forms)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from engine.calendar.business import UNITS

SLA_STATES = ("none", "on_time", "at_risk", "overdue", "paused", "met_late", "met")


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # csrf_token and buttons ride along with form posts

    @pre_load
    def _blank_is_missing(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        # An empty select or search box means "no filter", not an invalid value.
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}


class InboxQuery(_Lenient):
    view = fields.String(load_default="mine", validate=validate.OneOf(("mine", "candidate", "department", "all")))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    sla_state = fields.String(load_default=None, validate=validate.OneOf(SLA_STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


class CaseQuery(_Lenient):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    status = fields.String(load_default=None, validate=validate.OneOf(("running", "completed", "cancelled")))
    process_key = fields.String(load_default=None, validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


class ReasonInput(_Lenient):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TransferInput(ReasonInput):
    to_user = fields.String(required=True, validate=validate.Length(min=1, max=80))


class ExtensionInput(ReasonInput):
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    unit = fields.String(load_default=None, validate=validate.OneOf(UNITS))
