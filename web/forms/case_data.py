"""The case page's data section: each value under the label of the form field that asked for it.

Case data mixes what people entered (labelled by the forms) with what the process keeps for itself
(counters, logs, computed ids). The first is what a supervisor reads; the second stays available,
apart and unlabelled, for whoever needs to look behind the scenes.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from engine.forms import FormDefinition
from engine.forms.coerce import DEFAULT_TZ
from engine.forms.fields import FieldSpec
from engine.forms.i18n import DEFAULT_LANG
from web.forms.viewmodel import FieldView, build_fields


@dataclass
class CaseData:
    fields: list[FieldView] = field(default_factory=list)
    other: dict[str, Any] = field(default_factory=dict)


_PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _fits(spec: FieldSpec, value: Any) -> bool:
    """A process may reuse a key a form also asks for (a message form's agency list beside the
    dispatch table the process keeps under that name); only a value of the field's type is its answer."""
    expected = _PYTHON_TYPES.get(spec.type)
    if expected is None:
        return True
    if isinstance(value, bool) and spec.type != "boolean":
        return False
    return isinstance(value, expected)


def case_data(forms: Iterable[FormDefinition], data: Mapping[str, Any], lang: str = DEFAULT_LANG,
              tz: tzinfo = DEFAULT_TZ) -> CaseData:
    """Labelled fields in the order the forms ask them (the first form that asks a key names it);
    empty values are left out, everything else no form asks for goes to ``other``."""
    result = CaseData()
    labelled: set[str] = set()
    for form in forms:
        present = {name: data[name] for name, spec in form.field_map.items()
                   if name in data and name not in labelled and not _empty(data[name]) and _fits(spec, data[name])}
        if not present:
            continue
        for view in build_fields(form, present, {}, lang, tz):
            if view.name in present:
                result.fields.append(view)
                labelled.add(view.name)
    result.other = {key: value for key, value in sorted(data.items()) if key not in labelled and not _empty(value)}
    return result
