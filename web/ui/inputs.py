"""marshmallow schemas for what the UI pages accept (query strings and posted action forms)."""
from __future__ import annotations

from marshmallow import fields, validate

from engine.calendar.business import UNITS
from engine.store.statuses import SlaState
from web.lenient import LenientSchema, page_field

SLA_STATES = tuple(state.value for state in SlaState)


class InboxQuery(LenientSchema):
    view = fields.String(load_default="mine", validate=validate.OneOf(("mine", "candidate", "department", "all")))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    sla_state = fields.String(load_default=None, validate=validate.OneOf(SLA_STATES))
    page = page_field()


class CaseQuery(LenientSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    status = fields.String(load_default=None, validate=validate.OneOf(("running", "completed", "cancelled")))
    process_key = fields.String(load_default=None, validate=validate.Length(max=100))
    page = page_field()


class ReasonInput(LenientSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TransferInput(ReasonInput):
    to_user = fields.String(required=True, validate=validate.Length(min=1, max=80))


class ExtensionInput(ReasonInput):
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    unit = fields.String(load_default=None, validate=validate.OneOf(UNITS))


class StageInput(LenientSchema):
    """The current stage of a staged time limit is done (私搭乱建: work stopped, penalty decided)."""

    note = fields.String(load_default="", validate=validate.Length(max=1000))


class PointQuery(LenientSchema):
    """A point on the map (WGS 84 degrees), as the report form's picker sends it."""

    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
