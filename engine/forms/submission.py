"""Validating one submission of a form: coerce, drop hidden fields, validate, localise errors."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from jsonschema.exceptions import ValidationError

from engine.errors import InvalidInput
from engine.forms import messages
from engine.forms.coerce import DEFAULT_TZ, MISSING, coerce_value
from engine.forms.dates import Moments, date_errors
from engine.forms.filling import Filler, not_theirs_errors
from engine.forms.visibility import visible_fields

if TYPE_CHECKING:
    from engine.forms.definition import FormDefinition

# Key under which errors that belong to no single field are reported.
FORM_ERRORS_KEY = "_form"

# required / dependentRequired only say which property is missing in their message.
_MISSING_PROPERTY = re.compile(r"^'(?P<name>[A-Za-z_][A-Za-z0-9_]*)' is (a required property|a dependency of)")


def validate_submission(form: FormDefinition, data: Mapping[str, Any], lang: str = "zh",
                        tz: tzinfo = DEFAULT_TZ, moments: Moments | None = None,
                        filler: Filler = Filler.PERSON) -> dict[str, Any]:
    """The cleaned data, or InvalidInput with details = {field_path: [messages]}. `moments` (now, when the
    case was opened) are what ui:within bounds name; without them it is now and a case opened now.
    `filler` is who submits: a value for a field ``ui:filledBy`` names someone else for is refused."""
    if not isinstance(data, Mapping):
        raise InvalidInput(messages.text("not_an_object", lang), {FORM_ERRORS_KEY: [messages.text("not_an_object", lang)]})
    coerced = coerce_known_fields(form, data, tz)
    visible = visible_fields(form.visibility_rules, coerced)
    # A hidden field is not kept: whatever the browser or client sent for it is dropped.
    cleaned = {name: value for name, value in coerced.items() if name in visible}
    refused = not_theirs_errors(form, data, filler, lang)
    errors = collect_errors(form, {k: v for k, v in cleaned.items() if k not in refused}, visible, lang,
                            moments or Moments(), tz)
    for name, texts in refused.items():
        errors.setdefault(name, []).extend(texts)
    if refused:
        rank = {spec.name: i for i, spec in enumerate(form.fields)}
        errors = dict(sorted(errors.items(), key=lambda item: rank.get(item[0].split(".", 1)[0], -1)))
    if errors:
        raise InvalidInput(messages.text("form_invalid", lang), errors, key="form.invalid")
    return cleaned


def coerce_known_fields(form: FormDefinition, data: Mapping[str, Any], tz: tzinfo = DEFAULT_TZ) -> dict[str, Any]:
    """Only declared fields are kept; unknown keys are dropped rather than stored in the case."""
    out: dict[str, Any] = {}
    for spec in form.fields:
        if spec.name in data:
            value = coerce_value(spec, data[spec.name], tz)
            if value is not MISSING:
                out[spec.name] = value
    return out


def collect_errors(form: FormDefinition, cleaned: Mapping[str, Any], visible: set[str],
                   lang: str, moments: Moments | None = None, tz: tzinfo = DEFAULT_TZ) -> dict[str, list[str]]:
    # A date out of its bounds is said first and alone: a date-time before 1901 carries an offset with
    # seconds, which the format check would call "not a date-time" rather than "too early".
    errors: dict[str, list[str]] = date_errors(form.fields, cleaned, visible, moments or Moments(), tz, lang)
    for error in form.validator.iter_errors(cleaned):
        path, missing = _locate(error)
        top = path.split(".", 1)[0]
        if path in errors and not missing and error.validator == "format":
            continue
        if missing and "." not in path and top not in visible:
            continue  # a hidden field is never required, whatever the schema's if/then says
        spec = form.field_map.get(top)
        if missing:
            message = messages.required_message(spec if "." not in path else None, path.rsplit(".", 1)[-1], lang)
        else:
            message = messages.error_message(error, spec, lang)
        bucket = errors.setdefault(path or FORM_ERRORS_KEY, [])
        if message not in bucket:
            bucket.append(message)
    # Report in the order the form shows its fields, so summaries read top to bottom.
    rank = {spec.name: i for i, spec in enumerate(form.fields)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0].split(".", 1)[0], -1)))


def _locate(error: ValidationError) -> tuple[str, bool]:
    """(dotted field path, whether the error is a missing value)."""
    parts = [str(p) for p in error.absolute_path]
    if error.validator in ("required", "dependentRequired"):
        match = _MISSING_PROPERTY.match(error.message)
        if match:
            return ".".join([*parts, match["name"]]), True
    return ".".join(parts), False
