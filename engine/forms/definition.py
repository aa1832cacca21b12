"""FormDefinition: a loaded, checked form with its validator compiled once."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from jsonschema import Draft202012Validator

from engine.forms.attachments import with_attachment_items
from engine.forms.coerce import DEFAULT_TZ, MultiDictLike, coerce_html_form
from engine.forms.dates import Moments
from engine.forms.fields import FieldSpec, Option
from engine.forms.filling import Filler
from engine.forms.formats import FORMAT_CHECKER
from engine.forms.i18n import Text, tr
from engine.forms.submission import validate_submission
from engine.forms.visibility import VisibleIf, visible_fields
from engine.forms.widgets import enum_values, infer_widget


@dataclass(frozen=True)
class ContextFact:
    """Case data the process computed that the task shows read-only above its form (a proposed unit)."""

    key: str
    title: Text
    names_units: bool  # the value is an organisation code (or a list of them), shown by the unit's name


class FormDefinition:
    """One form file, checked. Build it with load_form; the constructor trusts its input."""

    def __init__(self, document: Mapping[str, Any], filename: str) -> None:
        self.filename = filename
        self.document: dict[str, Any] = copy.deepcopy(dict(document))
        self.key: str = self.document["key"]
        self.title: Text = self.document["title"]
        self.description: Text | None = self.document.get("description")
        self.context: tuple[ContextFact, ...] = tuple(
            ContextFact(entry["key"], entry["title"], entry.get("names") == "organisation")
            for entry in self.document.get("context", ()))
        self.schema: dict[str, Any] = self.document["schema"]
        self.ui_schema: dict[str, Any] = self.document["uiSchema"]
        self.fields: tuple[FieldSpec, ...] = tuple(_build_fields(self.schema, self.ui_schema))
        self.field_map: dict[str, FieldSpec] = {f.name: f for f in self.fields}
        self.visibility_rules: dict[str, VisibleIf | None] = {f.name: f.visible_if for f in self.fields}
        # Compiled once per definition: building a validator resolves the schema's
        # references, which is too costly to redo for every task completion.
        self.validator = Draft202012Validator(_effective_schema(self.schema, self.fields),
                                              format_checker=FORMAT_CHECKER)

    def __repr__(self) -> str:
        return f"FormDefinition(key={self.key!r}, fields={[f.name for f in self.fields]!r})"

    def title_text(self, lang: str) -> str:
        return tr(self.title, lang)

    @property
    def has_attachments(self) -> bool:
        return any(f.widget == "attachments" for f in self.fields)

    def visible_fields(self, data: Mapping[str, Any]) -> set[str]:
        """The fields shown for these (typed) answers."""
        return visible_fields(self.visibility_rules, data)

    def validate_submission(self, data: Mapping[str, Any], lang: str = "zh", tz: tzinfo = DEFAULT_TZ,
                            moments: Moments | None = None, filler: Filler = Filler.PERSON) -> dict[str, Any]:
        """Cleaned data (typed, hidden and unknown fields dropped) or InvalidInput with field errors;
        `moments` are now and when the case was opened, for ui:within (engine.forms.dates); `filler`
        is who submits (a person unless the engine says otherwise, engine.forms.filling)."""
        return validate_submission(self, data, lang, tz, moments, filler)

    def coerce_html_form(self, formdata: MultiDictLike | Mapping[str, Any], tz: tzinfo = DEFAULT_TZ) -> dict[str, Any]:
        """Typed data from an HTML form post, to pass on to validate_submission."""
        return coerce_html_form(self.fields, formdata, tz)


def _build_fields(schema: Mapping[str, Any], ui: Mapping[str, Any]) -> list[FieldSpec]:
    props: Mapping[str, Any] = schema["properties"]
    order = ui.get("ui:order") or list(props)
    required = set(schema.get("required", []))
    return [_build_field(name, props[name], ui.get(name, {}), name in required) for name in order]


def _build_field(name: str, field_schema: Mapping[str, Any], field_ui: Mapping[str, Any], required: bool) -> FieldSpec:
    widget = field_ui.get("ui:widget") or infer_widget(field_schema) or "text"
    values = enum_values(field_schema, widget) or []
    labels = field_ui.get("ui:enumNames") or []
    rule = field_ui.get("ui:visibleIf")
    return FieldSpec(
        name=name,
        schema=field_schema,
        widget=widget,
        title=field_ui.get("ui:title", {}),
        required=required,
        help=field_ui.get("ui:help"),
        placeholder=field_ui.get("ui:placeholder"),
        options=tuple(Option(v, lbl) for v, lbl in zip(values, labels, strict=False)),
        visible_if=VisibleIf(rule["field"], tuple(rule["in"])) if rule else None,
        ui_options=field_ui.get("ui:options", {}),
        error_messages=field_ui.get("ui:errorMessages", {}),
        ui_within=field_ui.get("ui:within"),
        options_from_case=field_ui.get("ui:optionsFromCase"),
        names=field_ui.get("ui:names"),
        filled_by=field_ui.get("ui:filledBy"),
    )


def _effective_schema(schema: Mapping[str, Any], fields: tuple[FieldSpec, ...]) -> dict[str, Any]:
    """The author's schema, with the attachment metadata shape enforced on attachment fields."""
    effective = copy.deepcopy(dict(schema))
    for spec in fields:
        if spec.widget == "attachments":
            effective["properties"][spec.name] = with_attachment_items(dict(effective["properties"][spec.name]))
    return effective
