"""Definition checks: everything wrong with a form file, each problem naming file and field.

The checks run in layers. The file's shape (form_file.schema.json) comes first: when
it fails, later checks would only repeat the same mistake in other words, so we stop.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from engine.errors import Problem, quoted
from engine.forms.dates import ANCHORS, parse_literal
from engine.forms.parse import decode, key_from_filename
from engine.forms.visibility import same_value
from engine.forms.widgets import CHOICE_WIDGETS, FIELD_TYPES, enum_values, infer_widget, widget_mismatch

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


@cache
def form_file_validator() -> Draft202012Validator:
    text = resources.files("engine.forms").joinpath("form_file.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def validate_form_definition(text_or_bytes: str | bytes, filename: str) -> list[Problem]:
    """Every problem of one form file; an empty list means load_form will succeed."""
    return list(_problems_of(text_or_bytes, filename))


# The problems are a pure function of the file's content and name (Problem is frozen): validate and deploy
# check every form of the bundle each time, and the meta-schema check is most of validate's time.
@lru_cache(maxsize=512)
def _problems_of(text_or_bytes: str | bytes, filename: str) -> tuple[Problem, ...]:
    doc, problems = decode(text_or_bytes, filename)
    if problems:
        return tuple(problems)
    return tuple(check_document(doc, filename))


def check_document(doc: Any, filename: str) -> list[Problem]:
    problems = list(_shape_problems(doc, filename))
    if problems:
        return problems
    problems += _key_problems(doc, filename)
    schema_problems = list(_json_schema_problems(doc["schema"], filename))
    problems += schema_problems
    if not schema_problems:
        problems += _field_problems(doc, filename)
    return problems


def _element_for(path: list[Any]) -> str | None:
    """Name the field when the path is inside one, else the top-level member."""
    if len(path) >= 2 and path[0] == "uiSchema" and not str(path[1]).startswith("ui:"):
        return str(path[1])
    if len(path) >= 3 and path[0] == "schema" and path[1] == "properties":
        return str(path[2])
    return ".".join(str(p) for p in path) or None


def _shape_problems(doc: Any, filename: str) -> Iterator[Problem]:
    for error in sorted(form_file_validator().iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = list(error.absolute_path)
        where = "/".join(str(p) for p in path)
        yield Problem(filename, _element_for(path), f"{where or 'file'}: {error.message}", key="form.shape",
                      params={"where": where or "file", "reason": error.message})


def _key_problems(doc: Mapping[str, Any], filename: str) -> list[Problem]:
    expected = key_from_filename(filename)
    if doc["key"] != expected:
        return [Problem(filename, "key", f"key {doc['key']!r} must equal the file name {expected!r}",
                        key="form.key_not_file_name", params={"form": str(doc["key"]), "expected": expected})]
    return []


def _json_schema_problems(schema: Mapping[str, Any], filename: str) -> Iterator[Problem]:
    declared = schema.get("$schema")
    if declared is not None and declared.rstrip("#") != DRAFT_2020_12:
        yield Problem(filename, "schema", f"$schema must be {DRAFT_2020_12!r} (got {quoted(declared)})",
                      key="form.schema_draft", params={"expected": DRAFT_2020_12, "value": str(declared)})
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in meta.iter_errors(schema):
        path = ["schema", *error.absolute_path]
        yield Problem(filename, _element_for(path), f"not a valid JSON Schema 2020-12: {_where(error)}{error.message}",
                      key="form.schema_invalid",
                      params={"where": "/".join(str(p) for p in path), "reason": error.message})
    for pointer, ref in _refs(schema, "schema"):
        # Remote $refs would be fetched (or fail) at submission time; forms must be self-contained.
        if not ref.startswith("#"):
            yield Problem(filename, pointer, f"$ref {ref!r} is not local; only '#/...' references are allowed",
                          key="form.ref_not_local", params={"ref": ref})


def _where(error: ValidationError) -> str:
    path = "/".join(str(p) for p in error.absolute_path)
    return f"at {path}: " if path else ""


def _refs(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path, v
            else:
                yield from _refs(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _refs(v, f"{path}/{i}")


def _field_problems(doc: Mapping[str, Any], filename: str) -> list[Problem]:
    schema = doc["schema"]
    props: Mapping[str, Any] = schema["properties"]
    ui: Mapping[str, Any] = doc["uiSchema"]
    problems: list[Problem] = []

    def add(element: str | None, message: str, key: str, params: dict[str, Any] | None = None) -> None:
        problems.append(Problem(filename, element, message, key=key, params=params or {}))

    for name in schema.get("required", []):
        if name not in props:
            add(name, f"schema.required names {name!r}, which is not a field in schema.properties",
                key="form.required_unknown", params={"field": name})
    for name in ui:
        if not name.startswith("ui:") and name not in props:
            add(name, f"uiSchema names field {name!r}, which does not exist in schema.properties",
                key="form.ui_unknown_field", params={"field": name})
    problems += _order_problems(ui.get("ui:order"), props, filename)

    widgets: dict[str, str] = {}
    for name, field_schema in props.items():
        if not isinstance(field_schema, Mapping):
            add(name, "field schema must be an object (boolean schemas cannot be rendered)", key="form.field_not_object")
            continue
        if field_schema.get("type") not in FIELD_TYPES:
            add(name, f"field needs a single type, one of {', '.join(FIELD_TYPES)} (got {quoted(field_schema.get('type'))})",
                key="form.field_type",
                params={"allowed": ", ".join(FIELD_TYPES), "value": quoted(field_schema.get("type"))})
            continue
        field_ui: Mapping[str, Any] = ui.get(name, {})
        widget = field_ui.get("ui:widget") or infer_widget(field_schema)
        if widget is None:
            add(name, "no widget fits this field; set ui:widget", key="form.no_widget")
            continue
        mismatch = widget_mismatch(widget, field_schema)
        if mismatch:
            add(name, mismatch, key="form.widget_mismatch", params={"widget": str(widget)})
            continue
        widgets[name] = widget
        if not field_ui.get("ui:title", {}).get("zh"):
            add(name, "missing Chinese label: set ui:title {\"zh\": ...}", key="form.no_label")
        problems += _option_problems(name, widget, field_schema, field_ui, filename)
        problems += _ui_option_problems(name, widget, field_schema, field_ui.get("ui:options", {}), filename)
        problems += _within_problems(name, widget, field_ui.get("ui:within"), filename)
        if "ui:filledBy" in field_ui and name in set(schema.get("required", [])):
            add(name, f"a field filled by {field_ui['ui:filledBy']!r} (ui:filledBy) cannot be required: people "
                "starting the case by hand could never give it", key="form.filled_by_required")
        if "ui:names" in field_ui and widget != "text":
            add(name, f"ui:names applies to text fields only, not {widget!r}: a choice field names its options "
                "with ui:enumNames", key="form.names_not_text", params={"widget": widget})

    problems += _visibility_problems(props, ui, widgets, filename)
    return problems


def _ui_option_problems(name: str, widget: str, field_schema: Mapping[str, Any], options: Mapping[str, Any],
                        filename: str) -> list[Problem]:
    """ui:options that only one kind of widget reads, and roleDefaults naming options the field has."""
    problems = [Problem(filename, name, f"ui:options.{key} applies to attachments fields only",
                        key="form.option_attachments_only", params={"option": key})
                for key in ("capture", "keepExif") if key in options and widget != "attachments"]
    defaults = options.get("roleDefaults")
    if isinstance(defaults, Mapping):
        values = field_schema.get("enum")
        if not isinstance(values, list):
            problems.append(Problem(filename, name, "ui:options.roleDefaults needs a field with options (enum)",
                                    key="form.role_defaults_no_enum"))
        else:
            problems += [Problem(filename, name, f"ui:options.roleDefaults: {value!r} (role {role!r}) is not an option",
                                 key="form.role_default_not_option", params={"value": str(value), "default_role": role})
                         for role, value in defaults.items() if value not in values]
    return problems


def _within_problems(name: str, widget: str, rule: Mapping[str, Any] | None, filename: str) -> list[Problem]:
    """ui:within sits on a date or date-time field and names bounds it can compute."""
    if rule is None:
        return []
    if widget not in ("date", "datetime"):
        return [Problem(filename, name, f"ui:within applies to date and datetime fields only, not {widget!r}",
                        key="form.within_not_date", params={"widget": widget})]
    return [Problem(filename, name, f"ui:within.{key}: {rule[key]!r} is neither {' nor '.join(map(repr, ANCHORS))} "
                    "nor a date (YYYY-MM-DD) or a date-time with its offset",
                    key="form.within_bound", params={"bound": key, "value": str(rule[key])})
            for key in ("notBefore", "notAfter")
            if key in rule and rule[key] not in ANCHORS and parse_literal(rule[key]) is None]


def _order_problems(order: list[str] | None, props: Mapping[str, Any], filename: str) -> list[Problem]:
    if order is None:
        return []  # no ui:order: fields appear in schema.properties order
    problems = []
    seen: set[str] = set()
    for name in order:
        if name not in props:
            problems.append(Problem(filename, name, f"ui:order names {name!r}, which is not a field",
                                    key="form.order_unknown", params={"field": name}))
        elif name in seen:
            problems.append(Problem(filename, name, f"ui:order lists {name!r} twice", key="form.order_twice",
                                    params={"field": name}))
        seen.add(name)
    for name in props:
        if name not in seen:
            problems.append(Problem(filename, name, f"ui:order is incomplete: field {name!r} is missing",
                                    key="form.order_missing", params={"field": name}))
    return problems


def _option_problems(
    name: str, widget: str, field_schema: Mapping[str, Any], field_ui: Mapping[str, Any], filename: str
) -> list[Problem]:
    if widget not in CHOICE_WIDGETS:
        return [Problem(filename, name, f"{key} is only for select, radio and checkboxes, not {widget!r}",
                        key="form.options_need_choice", params={"option": key, "widget": widget})
                for key in ("ui:enumNames", "ui:optionsFrom", "ui:optionsFromCase") if key in field_ui]
    values = enum_values(field_schema, widget) or []
    labels = field_ui.get("ui:enumNames")
    if labels is None:
        return [Problem(filename, name, "missing Chinese labels for the options: set ui:enumNames",
                        key="form.no_option_labels")]
    if len(labels) != len(values):
        return [Problem(filename, name, f"ui:enumNames has {len(labels)} labels for {len(values)} enum values",
                        key="form.option_label_count", params={"labels": len(labels), "values": len(values)})]
    return []


def _visibility_problems(
    props: Mapping[str, Any], ui: Mapping[str, Any], widgets: Mapping[str, str], filename: str
) -> list[Problem]:
    problems: list[Problem] = []
    controllers: dict[str, str] = {}
    for name in props:
        rule = ui.get(name, {}).get("ui:visibleIf")
        if rule is None:
            continue
        other = rule["field"]
        if other == name:
            problems.append(Problem(filename, name, "ui:visibleIf cannot depend on the field itself",
                                    key="form.visible_if_self"))
        elif other not in props:
            problems.append(Problem(filename, name, f"ui:visibleIf references unknown field {other!r}",
                                    key="form.visible_if_unknown", params={"field": str(other)}))
        else:
            controllers[name] = other
            problems += _visibility_value_problems(name, other, rule["in"], props[other], widgets, filename)
    for name in controllers:
        cycle = _cycle_from(name, controllers)
        if cycle and cycle[0] == name:
            problems.append(Problem(filename, name, "ui:visibleIf forms a cycle: " + " -> ".join([*cycle, name]),
                                    key="form.visible_if_cycle", params={"cycle": " → ".join([*cycle, name])}))
    return problems


def _visibility_value_problems(
    name: str, other: str, values: list[Any], other_schema: Any,
    widgets: Mapping[str, str], filename: str,
) -> list[Problem]:
    widget = widgets.get(other)
    if widget is None:
        return []  # the controlling field already has its own problem
    if widget == "attachments":
        return [Problem(filename, name, f"ui:visibleIf cannot depend on attachments field {other!r}",
                        key="form.visible_if_attachments", params={"field": other})]
    allowed = enum_values(other_schema, widget)
    if widget == "checkbox":
        allowed = [True, False]
    if allowed is None:
        return []
    wrong = [v for v in values if not any(same_value(v, a) for a in allowed)]
    if wrong:
        return [Problem(filename, name, f"ui:visibleIf values {wrong!r} are not options of {other!r}",
                        key="form.visible_if_values", params={"values": ", ".join(map(str, wrong)), "field": other})]
    return []


def _cycle_from(start: str, controllers: Mapping[str, str]) -> list[str] | None:
    path = [start]
    current = controllers.get(start)
    while current is not None:
        if current in path:
            return path[path.index(current):]
        path.append(current)
        current = controllers.get(current)
    return None
