"""Forms: one JSON form file per BPMN user task (see docs/forms.md).

Pure domain code: no database, no Flask. web/forms renders these definitions as HTML.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from engine.forms.checks import validate_form_definition
from engine.forms.coerce import DEFAULT_TZ, MultiDictLike, coerce_value
from engine.forms.coerce import coerce_html_form as _coerce_fields
from engine.forms.definition import FormDefinition
from engine.forms.fields import FieldSpec, Option
from engine.forms.filling import Filler
from engine.forms.loader import load_form
from engine.forms.submission import FORM_ERRORS_KEY
from engine.forms.visibility import VisibleIf
from engine.forms.widgets import WIDGETS


def coerce_html_form(form: FormDefinition, formdata: MultiDictLike | Mapping[str, Any],
                     tz: tzinfo = DEFAULT_TZ) -> dict[str, Any]:
    """Typed data for ``form`` from an HTML post (werkzeug MultiDict or a dict of str/lists)."""
    return _coerce_fields(form.fields, formdata, tz)


__all__ = [
    "FORM_ERRORS_KEY",
    "WIDGETS",
    "FieldSpec",
    "Filler",
    "FormDefinition",
    "Option",
    "VisibleIf",
    "coerce_html_form",
    "coerce_value",
    "load_form",
    "validate_form_definition",
]
