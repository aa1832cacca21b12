"""The base of every schema for HTML form posts and query strings."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, pre_load


class LenientSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # csrf_token and buttons ride along with form posts

    @pre_load
    def _blank_is_missing(self, data, **_kwargs):  # type: ignore[no-untyped-def]
        # An empty select or search box means "no filter", not an invalid value.
        return {k: v for k, v in data.items() if not (isinstance(v, str) and v.strip() == "")}
