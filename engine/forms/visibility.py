"""Conditional visibility (ui:visibleIf): which fields a given answer set shows.

A field is visible when its controlling field is visible and holds one of the listed
values, so hiding a field also hides everything that depends on it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class VisibleIf:
    field: str
    values: tuple[Any, ...]

    def matches(self, value: Any) -> bool:
        """A multi-select matches when any chosen option is listed; an absent value never matches."""
        if value is None:
            return False
        chosen = value if isinstance(value, list) else [value]
        return any(same_value(c, v) for c in chosen for v in self.values)


def same_value(a: Any, b: Any) -> bool:
    # bool is a subclass of int in Python, but true and 1 are different answers in a form.
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def visible_fields(rules: Mapping[str, VisibleIf | None], data: Mapping[str, Any]) -> set[str]:
    """Names of the visible fields; ``rules`` maps every field to its rule (None = always shown).

    Definitions are checked to be acyclic, so the recursion terminates.
    """
    memo: dict[str, bool] = {}

    def visible(name: str) -> bool:
        if name not in memo:
            rule = rules.get(name)
            memo[name] = rule is None or (visible(rule.field) and rule.matches(data.get(rule.field)))
        return memo[name]

    return {name for name in rules if visible(name)}
