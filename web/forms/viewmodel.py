"""What the templates need per field, computed in Python so the templates stay dumb.

Values may be typed (stored task data) or as the browser sent them (a failed post
shown again); both go through the engine's coercion, so visibility and the chosen
options are judged exactly as validate_submission would judge them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from engine.forms import FieldSpec, FormDefinition
from engine.forms.coerce import DEFAULT_TZ, MISSING, coerce_value, value_as_text
from engine.forms.dates import wall_clock
from engine.forms.i18n import tr
from engine.forms.submission import FORM_ERRORS_KEY
from web.forms.texts import texts

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_SAFE_SCHEMES = frozenset({"http", "https", ""})
CAPTURE_VALUES = frozenset({"environment", "user"})
# A form that declares both gets a "use my location" button filling them, with the person's consent.
LOCATION_FIELDS = ("latitude", "longitude")


@dataclass(frozen=True)
class LocationTarget:
    """The inputs the location button fills, and the row it stands before."""

    latitude_id: str
    longitude_id: str
    before: str


def location_target(form: FormDefinition) -> LocationTarget | None:
    """The latitude and longitude number fields of `form` (the only way a form asks for a position),
    or None: then no location is asked for."""
    specs = {spec.name: spec for spec in form.fields}
    found = [specs.get(name) for name in LOCATION_FIELDS]
    if any(spec is None or spec.type not in ("number", "integer") or spec.widget != "number" for spec in found):
        return None
    first = min(LOCATION_FIELDS, key=lambda name: [spec.name for spec in form.fields].index(name))
    return LocationTarget(element_id(form, "latitude"), element_id(form, "longitude"), first)


@dataclass
class OptionView:
    value: str
    label: str
    selected: bool
    id: str


@dataclass
class AttachmentView:
    name: str
    size: str
    href: str | None
    json: str
    id: str
    image: bool = False  # shown as a thumbnail that opens the file


@dataclass
class FieldView:
    name: str
    id: str
    widget: str
    label: str
    required: bool
    hidden: bool
    help: str = ""
    placeholder: str = ""
    errors: list[str] = field(default_factory=list)
    value: str = ""
    checked: bool = False
    options: list[OptionView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    capture: str = ""  # attachments with ui:options.capture: a second input that opens the camera
    visible_if_field: str = ""
    visible_if_in: str = ""
    display: Markup = field(default_factory=Markup)
    answered: bool = False  # a read-only view lists answered fields only, never a row of "—"
    filled_by: str = ""  # ui:filledBy: no input for people; its value, if any, is shown read-only

    @property
    def described_by(self) -> str:
        ids = ([f"{self.id}-help"] if self.help else []) + ([f"{self.id}-error"] if self.errors else [])
        return " ".join(ids)


@dataclass
class SummaryItem:
    href: str
    label: str
    message: str


def element_id(form: FormDefinition, name: str) -> str:
    return _ID_UNSAFE.sub("-", f"cg-{form.key}-{name}")


def build_fields(form: FormDefinition, values: Mapping[str, Any], errors: Mapping[str, Any],
                 lang: str, tz: tzinfo = DEFAULT_TZ, case_data: Mapping[str, Any] | None = None) -> list[FieldView]:
    """case_data: the data of the case the form is filled on, for the options it offers (ui:optionsFromCase)."""
    typed: dict[str, Any] = {}
    for spec in form.fields:
        # The schema's default is the initial answer, and visibility must agree with what is shown.
        raw = values[spec.name] if spec.name in values else spec.schema.get("default")
        value = coerce_value(spec, raw, tz)
        if value is not MISSING:
            typed[spec.name] = value
    visible = form.visible_fields(typed)
    return [_field_view(form, spec, typed.get(spec.name),
                        _errors_for(spec.name, errors, lang), spec.name not in visible, lang, tz, case_data)
            for spec in form.fields]


def summary(form: FormDefinition, views: list[FieldView], errors: Mapping[str, Any], lang: str) -> list[SummaryItem]:
    """Every error with a link to its field (and the form-level ones), for the top of the form."""
    items = [SummaryItem("", "", m) for m in _as_list(errors.get(FORM_ERRORS_KEY))]
    for view in views:
        if view.errors and not view.hidden:
            items += [SummaryItem(f"#{_focus_target(view)}", view.label, m) for m in view.errors]
    return items


def _focus_target(view: FieldView) -> str:
    if view.widget in ("radio", "checkboxes") and view.options:
        return view.options[0].id
    if view.widget == "attachments":
        return f"{view.id}-upload"
    return view.id


def _as_list(messages: Any) -> list[str]:
    if messages is None:
        return []
    return [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]


def _errors_for(name: str, errors: Mapping[str, Any], lang: str) -> list[str]:
    """The field's own errors, then those of its items ("photos.0.size") prefixed by item number."""
    found = _as_list(errors.get(name))
    for path, messages in errors.items():
        if path.startswith(f"{name}."):
            index = path.split(".")[1]
            prefix = texts(lang)["item"].format(n=int(index) + 1) if index.isdigit() else ""
            found += [prefix + m for m in _as_list(messages)]
    return found


def _field_view(form: FormDefinition, spec: FieldSpec, value: Any, errors: list[str], hidden: bool,
                lang: str, tz: tzinfo, case_data: Mapping[str, Any] | None = None) -> FieldView:
    fid = element_id(form, spec.name)
    view = FieldView(
        name=spec.name, id=fid, widget=spec.widget, label=spec.label(lang), required=spec.required,
        hidden=hidden, help=tr(spec.help, lang), placeholder=tr(spec.placeholder, lang), errors=errors,
        filled_by=spec.filled_by or "",
    )
    if spec.visible_if:
        view.visible_if_field = spec.visible_if.field
        # The browser compares the controlling inputs' string values against these strings.
        view.visible_if_in = json.dumps([value_as_text(v) for v in spec.visible_if.values], ensure_ascii=False)
    chosen = value if isinstance(value, list) else ([] if value is None else [value])
    chosen_text = {value_as_text(v) for v in chosen}
    view.options = [
        OptionView(value_as_text(o.value), o.text(lang), value_as_text(o.value) in chosen_text, f"{fid}-{i}")
        for i, o in enumerate(spec.offered_options(case_data))
    ]
    view.checked = value is True
    view.value = _input_text(spec, value, tz)
    view.attrs = _input_attrs(spec, value)
    if spec.widget == "attachments":
        capture = spec.ui_options.get("capture") if isinstance(spec.ui_options, Mapping) else None
        view.capture = capture if capture in CAPTURE_VALUES else ""
        view.attachments = [_attachment_view(a, f"{fid}-{i}") for i, a in enumerate(chosen) if isinstance(a, Mapping)]
    view.display = _display(spec, view, value, lang, tz)
    view.answered = value is not None and value != [] and value != ""
    return view


def _input_text(spec: FieldSpec, value: Any, tz: tzinfo) -> str:
    if value is None or spec.widget in ("checkbox", "checkboxes", "attachments"):
        return ""
    if spec.widget == "datetime" and isinstance(value, str):
        parsed = _parse_datetime(value, tz)
        # datetime-local inputs take local wall-clock time without an offset.
        return parsed.strftime("%Y-%m-%dT%H:%M") if parsed else value
    return value_as_text(value)


def _parse_datetime(value: str, tz: tzinfo) -> datetime | None:
    return wall_clock(value, tz)


def _input_attrs(spec: FieldSpec, value: Any) -> dict[str, Any]:
    schema, options = spec.schema, spec.ui_options
    attrs: dict[str, Any] = {}
    if spec.widget == "number":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            # Keep an unparseable entry visible next to its error: a number input would blank it.
            attrs.update(type="text", inputmode="decimal")
        else:
            attrs["type"] = "number"
            attrs["step"] = options.get("step", 1 if spec.type == "integer" else "any")
            for html, key in (("min", "minimum"), ("max", "maximum")):
                if key in schema:
                    attrs[html] = schema[key]
    elif spec.widget in ("text", "textarea"):
        if spec.widget == "text":
            attrs["type"] = "email" if schema.get("format") == "email" else "text"
        for html, key in (("minlength", "minLength"), ("maxlength", "maxLength")):
            if key in schema:
                attrs[html] = schema[key]
        if spec.widget == "textarea":
            attrs["rows"] = options.get("rows", 3)
    elif spec.widget == "attachments" and "accept" in options:
        attrs["accept"] = options["accept"]
    return attrs


def attachment_views(value: Any) -> list[AttachmentView]:
    """A stored value that is a list of attachment metadata, as views (the case page lists case data
    without its forms); [] for any other value."""
    if not isinstance(value, list) or not value:
        return []
    if not all(isinstance(m, Mapping) and isinstance(m.get("name"), str) and "content_type" in m for m in value):
        return []
    return [_attachment_view(meta, "") for meta in value]


def _attachment_view(meta: Mapping[str, Any], aid: str) -> AttachmentView:
    url = meta.get("url")
    href = url if isinstance(url, str) and _safe_url(url) else None
    return AttachmentView(
        name=str(meta.get("name", "")), size=_human_size(meta.get("size")), href=href,
        json=json.dumps(dict(meta), ensure_ascii=False, sort_keys=True), id=aid,
        image=str(meta.get("content_type", "")).lower().startswith("image/"),
    )


def _safe_url(url: str) -> bool:
    """Only http(s) and same-site links: a javascript: URL in metadata must not become a link."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _SAFE_SCHEMES and (bool(parts.scheme) or url.strip().startswith("/"))


def _human_size(size: Any) -> str:
    if not isinstance(size, int) or isinstance(size, bool):
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _display(spec: FieldSpec, view: FieldView, value: Any, lang: str, tz: tzinfo) -> Markup:
    """The read-only rendering of a value (Markup, since textareas keep their line breaks)."""
    t = texts(lang)
    if value is None or value == []:
        return Markup(escape(t["empty"]))
    if spec.widget == "checkbox" or isinstance(value, bool):
        return Markup(escape(t["yes"] if value is True else t["no"]))
    if spec.options:
        chosen = value if isinstance(value, list) else [value]
        labels = [spec.option_label(v, lang) or value_as_text(v) for v in chosen]
        return Markup(escape(t["list_sep"].join(labels)))
    if spec.widget == "datetime" and isinstance(value, str):
        parsed = _parse_datetime(value, tz)
        return Markup(escape(parsed.strftime("%Y-%m-%d %H:%M") if parsed else value))
    if spec.widget == "attachments":
        return Markup(", ").join(_attachment_markup(a, t) for a in view.attachments)
    lines = value_as_text(value).split("\n")
    return Markup("<br>").join(escape(line) for line in lines)


def _attachment_markup(a: AttachmentView, t: Mapping[str, str]) -> Markup:
    label = f"{a.name} ({a.size})" if a.size else a.name
    if a.href:
        return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(a.href, label)
    return Markup(escape(label))
