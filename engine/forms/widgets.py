"""Which widgets exist, which field schemas each one can edit, and the default widget."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import quoted

WIDGETS: tuple[str, ...] = (
    "text",
    "textarea",
    "number",
    "date",
    "datetime",
    "select",
    "radio",
    "checkboxes",
    "checkbox",
    "attachments",
)

# Widgets whose value is one of a fixed list of options (labels come from ui:enumNames).
CHOICE_WIDGETS = frozenset({"select", "radio", "checkboxes"})
# Widgets whose value is a list; the HTML form posts them as repeated keys.
MULTI_WIDGETS = frozenset({"checkboxes", "attachments"})

FIELD_TYPES = ("string", "number", "integer", "boolean", "array")
_SCALAR_ENUM_TYPES = ("string", "number", "integer", "boolean")


def field_type(schema: Mapping[str, Any]) -> str | None:
    """The field's single JSON type, or None when absent or a list (we need one to coerce)."""
    t = schema.get("type")
    return t if isinstance(t, str) else None


def enum_values(schema: Mapping[str, Any], widget: str) -> list[Any] | None:
    """The option values of a choice field: its enum, or its items' enum for multi-selects."""
    source = schema.get("items") if widget == "checkboxes" else schema
    if not isinstance(source, Mapping):
        return None
    values = source.get("enum")
    return list(values) if isinstance(values, list) else None


def infer_widget(schema: Mapping[str, Any]) -> str | None:
    """The widget a field gets when the uiSchema does not name one."""
    t = field_type(schema)
    if t == "boolean":
        return "checkbox"
    if t in ("number", "integer", "string") and "enum" in schema:
        return "select"
    if t in ("number", "integer"):
        return "number"
    if t == "string":
        return {"date": "date", "date-time": "datetime"}.get(schema.get("format", ""), "text")
    if t == "array":
        items = schema.get("items")
        if isinstance(items, Mapping) and "enum" in items:
            return "checkboxes"
        if isinstance(items, Mapping) and items.get("type") == "object":
            return "attachments"
    return None


def widget_mismatch(widget: str, schema: Mapping[str, Any]) -> str | None:
    """Why ``widget`` cannot edit a field with this schema, or None when it can."""
    t = field_type(schema)
    fmt = schema.get("format")
    items = schema.get("items")
    if widget in ("text", "textarea"):
        if t != "string":
            return f"widget {widget!r} needs type string, not {quoted(t)}"
        if "enum" in schema:
            return f"widget {widget!r} cannot edit an enum; use select or radio"
        return None
    if widget == "number":
        return None if t in ("number", "integer") else f"widget 'number' needs type number or integer, not {quoted(t)}"
    if widget == "date":
        return None if t == "string" and fmt == "date" else "widget 'date' needs type string with format date"
    if widget == "datetime":
        return None if t == "string" and fmt == "date-time" else (
            "widget 'datetime' needs type string with format date-time"
        )
    if widget in ("select", "radio"):
        if t not in _SCALAR_ENUM_TYPES or not isinstance(schema.get("enum"), list):
            return f"widget {widget!r} needs a string, number, integer or boolean field with an enum"
        return None
    if widget == "checkboxes":
        if t != "array" or not isinstance(items, Mapping) or not isinstance(items.get("enum"), list):
            return "widget 'checkboxes' needs type array with items.enum"
        if field_type(items) not in ("string", "number", "integer"):
            return "widget 'checkboxes' needs items of type string, number or integer"
        return None
    if widget == "checkbox":
        return None if t == "boolean" else f"widget 'checkbox' needs type boolean, not {quoted(t)}"
    if widget == "attachments":
        if t != "array":
            return f"widget 'attachments' needs type array, not {quoted(t)}"
        if items not in (None, True) and not (isinstance(items, Mapping) and items.get("type", "object") == "object"):
            return "widget 'attachments' needs items of type object (the attachment metadata)"
        return None
    return f"unknown widget {widget!r}"
