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
    # ui:optionsFromCase: the case data key naming which of the options a form filled on that case offers
    options_from_case: str | None = None
    # ui:names: the answer is a code the pages show by its name, "organisation" (a unit: department, street,
    # community, grid cell) or "category" (the social-event catalogue's subcategory)
    names: str | None = None
    # ui:filledBy: no person fills this field; only the named kind of submission may (engine.forms.filling)
    filled_by: str | None = None

    @property
    def type(self) -> str:
        return str(self.schema["type"])

    @property
    def item_type(self) -> str | None:
        items = self.schema.get("items")
        return items.get("type") if isinstance(items, Mapping) else None

    @property
    def people_fill(self) -> bool:
        """Whether a person answers this field (ui:filledBy names someone else)."""
        return self.filled_by is None

    def label(self, lang: str) -> str:
        return tr(self.title, lang)

    def offered_options(self, case_data: Mapping[str, Any] | None) -> tuple[Option, ...]:
        """The options a form filled on a case with this data offers: with ``ui:optionsFromCase``, only
        those the case's data names under that key (the keys of a mapping, the items of a list: the
        agencies dispatched to an incident); every option otherwise, or when the case names none there.
        Only what is offered narrows: the enum still decides what is accepted, so a process may refuse
        another option in its own words."""
        if self.options_from_case is None or case_data is None:
            return self.options
        named = case_data.get(self.options_from_case)
        if not isinstance(named, Mapping | list | tuple):
            return self.options
        return tuple(option for option in self.options if any(same_value(option.value, value) for value in named))

    def option_label(self, value: Any, lang: str) -> str | None:
        for option in self.options:
            if same_value(option.value, value):
                return option.text(lang)
        return None
