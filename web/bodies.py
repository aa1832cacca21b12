"""Request bodies: a JSON body is bounded in size and depth, so hostile input is a 413 or 400, never a 500.

MAX_CONTENT_LENGTH stays large for form posts with attachments (multipart); any other body — JSON from
API calls, a url-encoded form — gets its own smaller limit, and JSON nested deeper than any form, case or event needs is refused while parsing —
Python's parser would otherwise raise RecursionError on 100,000 brackets.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider

# Deeper than any task data, form or event payload; task data itself stops at 100 (engine.sandbox.task_data).
MAX_JSON_DEPTH = 100
DEFAULT_MAX_JSON_BYTES = 2 * 1024 * 1024


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when `value` nests lists and objects more than `limit` levels deep (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested too deeply with a ValueError (Flask answers 400 for those)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
        if json_depth_exceeds(value, MAX_JSON_DEPTH):
            raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        return value


def _limit_bodies() -> None:
    if request.mimetype != "multipart/form-data":
        # Only a multipart post carries files; any other body (JSON, a url-encoded form) is read into
        # memory whole by its parser, so it gets the small limit, not MAX_CONTENT_LENGTH's 100 MiB.
        request.max_content_length = min(current_app.config["CASEGRID_MAX_JSON_BYTES"],
                                         current_app.config["MAX_CONTENT_LENGTH"] or 2**63)
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        # Parse once here with the bounded provider (413 above the limit, 400 when malformed or too deep):
        # the API's argument parser reads the body with the plain json module, which would recurse.
        if request.get_data(cache=True):
            request.get_json()


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.before_request(_limit_bodies)
