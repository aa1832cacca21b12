"""The base of every schema for HTML form posts and query strings, and how views load them."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import has_request_context, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from engine.errors import InvalidInput

# A filter's local date becomes a UTC instant and its day after: 0001-01-01 or 9999-12-31 parse as dates
# but overflow datetime on the way (a 500). No case is older than computers or due after year 9000.
FILTER_DATE_RANGE = validate.Range(min=date(1900, 1, 1), max=date(9000, 12, 31))


# A list page's number. 0, -1 or "abc" is a link edited into nonsense and is refused in words; any page from 1
# up is a page, and one past the end of the list shows that it is empty with a link to the last one (the
# pager in ui/_macros.html), since lists shrink while their links live on in bookmarks and other tabs.
# Pages beyond MAX_PAGE are read as MAX_PAGE, so the SQL offset stays small whatever the link says:
# no list of this product reaches that far, and the page still says there is nothing on it.
MAX_PAGE = 1_000_000


def page_field() -> fields.Integer:
    return fields.Integer(load_default=1, strict=False, validate=validate.Range(min=1))


def page_offset(page: int, page_size: int) -> int:
    """The rows before `page` of a list (page numbers past MAX_PAGE are taken as MAX_PAGE)."""
    return (min(page, MAX_PAGE) - 1) * page_size


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
