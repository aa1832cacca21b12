"""Attachment fields hold metadata only; the file itself lives in whatever store web/ uses."""
from __future__ import annotations

from typing import Any

ATTACHMENT_ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "content_type": {"type": "string", "minLength": 1, "maxLength": 255},
        "size": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "minLength": 1},
    },
    "required": ["name", "content_type", "size"],
    "additionalProperties": False,
}


def with_attachment_items(field_schema: dict[str, Any]) -> dict[str, Any]:
    """The field schema with the metadata shape enforced on every item.

    The author's own ``items`` (e.g. a content_type enum or a size maximum) still applies,
    combined with allOf, so a form can narrow the shape but never loosen it.
    """
    own_items = field_schema.get("items")
    items = ATTACHMENT_ITEM_SCHEMA if own_items in (None, True, {}) else {
        "allOf": [ATTACHMENT_ITEM_SCHEMA, own_items]
    }
    return {**field_schema, "items": items}
