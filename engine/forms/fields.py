"""One field of a form: its schema, widget and texts, resolved once at load time."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.forms.i18n import Text, tr
from engine.forms.visibility import VisibleIf, same_value


@dataclass(frozen=True)
class Option:
    value: Any
    label: Text

    def text(self, lang: str) -> str:
        return tr(self.label, lang)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    schema: Mapping[str, Any]
    widget: str
    title: Text
    required: bool  # required unconditionally (schema.required); if/then may add more at submit time
    help: Text | None = None
    placeholder: Text | None = None
    options: tuple[Option, ...] = ()
    visible_if: VisibleIf | None = None
    ui_options: Mapping[str, Any] = field(default_factory=dict)
    error_messages: Mapping[str, Text] = field(default_factory=dict)
    ui_within: Mapping[str, Any] | None = None  # ui:within, the bounds of a date answer (engine.forms.dates)

    @property
    def type(self) -> str:
        return str(self.schema["type"])

    @property
    def item_type(self) -> str | None:
        items = self.schema.get("items")
        return items.get("type") if isinstance(items, Mapping) else None

    def label(self, lang: str) -> str:
        return tr(self.title, lang)

    def option_label(self, value: Any, lang: str) -> str | None:
        for option in self.options:
            if same_value(option.value, value):
                return option.text(lang)
        return None
