"""render_form: a FormDefinition as accessible server-side HTML (Jinja2 only, no Flask).

The templates live in web/templates/forms so the Flask app can also include or
override them; here we use our own environment so the engine-facing code and the
tests need no application object.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from engine.forms import FormDefinition
from engine.forms.coerce import DEFAULT_TZ
from engine.forms.i18n import normalize_lang
from web.forms.picker import MapPicker
from web.forms.texts import texts
from web.forms.viewmodel import build_fields, location_target, summary

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails loudly in tests, not silently in a form
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_form(
    form: FormDefinition,
    values: Mapping[str, Any] | None,
    errors: Mapping[str, Any] | None,
    lang: str = "zh",
    readonly: bool = False,
    *,
    extra_hidden: Markup | None = None,
    action: str = "",
    method: str = "post",
    buttons: Markup | None = None,
    script_url: str | None = None,
    field_script_url: str | None = None,
    tz: tzinfo = DEFAULT_TZ,
    picker: MapPicker | None = None,
    case_data: Mapping[str, Any] | None = None,
) -> Markup:
    """The form as HTML.

    values: typed task data or the raw post being shown again; errors: InvalidInput.details.
    extra_hidden: inserted inside <form> as is (the CSRF field, ids); buttons: replaces the
    default submit button; script_url: adds <script src> for form-visibility.js; field_script_url: for
    form-field.js, added when the form has a camera input or a location button (latitude/longitude fields);
    picker: the district map to pick the point on (web.maps.report_picker), drawn before those fields.
    readonly renders a description list of the visible answers instead of inputs.
    case_data: the data of the case the form is filled on; a choice field with ui:optionsFromCase offers
    only the options it names (engine.forms.fields.FieldSpec.offered_options).
    """
    lang = normalize_lang(lang)
    errors = errors or {}
    fields = build_fields(form, values or {}, errors, lang, tz, case_data)
    context = {
        "form": form,
        "form_title": form.title_text(lang),
        "lang": lang,
        "fields": fields,
        "t": texts(lang),
    }
    if readonly:
        return Markup(environment().get_template("forms/readonly.html").render(context))
    location = location_target(form)
    wants_field_script = location is not None or any(f.capture for f in fields)
    context.update(
        location=location,
        picker=picker if location is not None else None,
        field_script_url=field_script_url if wants_field_script else None,
        summary=summary(form, fields, errors, lang),
        extra_hidden=extra_hidden or Markup(""),
        action=action,
        method=method,
        buttons=buttons,
        script_url=script_url,
        multipart=form.has_attachments,
    )
    return Markup(environment().get_template("forms/form.html").render(context))
