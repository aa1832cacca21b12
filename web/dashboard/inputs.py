"""marshmallow schemas for the dashboard's query string and action forms."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from web.lenient import FILTER_DATE_RANGE, LenientSchema, page_field

PERIOD_DAYS = (7, 30, 90, 365)


class PeriodQuery(LenientSchema):
    """A period ending now (`days`), or explicit local dates `since`..`until` (both included)."""

    days = fields.Integer(load_default=30, validate=validate.OneOf(PERIOD_DAYS))
    since = fields.Date(load_default=None, validate=FILTER_DATE_RANGE)
    until = fields.Date(load_default=None, validate=FILTER_DATE_RANGE)
    process_key = fields.String(load_default=None, validate=validate.Length(max=100))

    @validates_schema
    def _ordered(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("the period must start before it ends", "until")


class NotificationsQuery(LenientSchema):
    """/notifications: unread only, or all (`all=1`; any other value reads as unread only), and the page."""

    all = fields.String(load_default="")
    page = page_field()


# What each wrong period field says beside it (English source texts, translated through web.i18n).
PERIOD_ERROR_TEXTS = {
    "days": "Choose one of the listed periods.",
    "since": "Enter a date such as 2026-12-01.",
    "until": "Enter a date such as 2026-12-01.",
    "process_key": "Choose a process from the list.",
}
PERIOD_ORDER_TEXT = "The end date must not be before the start date."


def load_period(args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The period asked for, and an error text per field that was wrong (those fields fall back to the
    default, so the page still shows figures); no errors: exactly what was asked for."""
    schema = PeriodQuery()
    try:
        return schema.load(args), {}
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
    errors: dict[str, str] = {}
    for name in messages:
        if name == "until" and not _parses_as_date(args.get("until")):
            errors[name] = PERIOD_ERROR_TEXTS["until"]
        elif name == "until":
            errors[name] = PERIOD_ORDER_TEXT
        elif name in PERIOD_ERROR_TEXTS:
            errors[name] = PERIOD_ERROR_TEXTS[name]
    kept = {name: value for name, value in args.items() if name not in messages}
    if "until" in messages:
        kept.pop("since", None)  # a reversed period is dropped whole
    try:
        return schema.load(kept), errors
    except ValidationError:
        return schema.load({}), errors


def _parses_as_date(value: object) -> bool:
    try:
        fields.Date(validate=FILTER_DATE_RANGE).deserialize(value)
    except ValidationError:
        return False
    return True


class UrgeInput(LenientSchema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DecisionInput(LenientSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    note = fields.String(load_default="", validate=validate.Length(max=1000))
