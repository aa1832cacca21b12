"""The base of every schema for HTML form posts and query strings, and how views load them."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import has_request_context, request
from marshmallow import EXCLUDE, Schema, ValidationError, pre_load, validate

from engine.errors import InvalidInput

# A filter's local date becomes a UTC instant and its day after: 0001-01-01 or 9999-12-31 parse as dates
# but overflow datetime on the way (a 500). No case is older than computers or due after year 9000.
FILTER_DATE_RANGE = validate.Range(min=date(1900, 1, 1), max=date(9000, 12, 31))


class LenientSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # csrf_token and buttons ride along with form posts

    @pre_load
    def _blank_is_missing(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        # An empty select or search box means "no filter", not an invalid value.
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}


def load_input(schema: Schema, data: Any) -> dict[str, Any]:
    """Parse a form post or query string; field errors become the engine's InvalidInput (422)."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        # A page's query string refused is a link edited by hand (the page offers only valid choices):
        # "check the marked fields" would send the reader looking for fields nobody submitted.
        key = "input.invalid_query" if has_request_context() and request.method in ("GET", "HEAD") \
            else "input.invalid_fields"
        raise InvalidInput("the request has invalid fields", exc.messages, key=key) from exc
