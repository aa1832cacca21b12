"""Statuses are enums, not bare strings (engine.store.statuses): checked on the source, so a status word
typed by hand next to a ``status`` or ``sla_state`` column — compared, assigned or given as a default —
fails here instead of silently never matching."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from engine.config import PROJECT_ROOT
from engine.store import statuses

STATUS_WORDS = {member.value for enum in vars(statuses).values()
                if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum for member in enum}
STATUS_ATTRIBUTES = {"status", "sla_state"}


def _status_words(node: ast.AST) -> list[str]:
    values = node.elts if isinstance(node, ast.Tuple) else [node.body, node.orelse] if isinstance(node, ast.IfExp) \
        else [node]
    return [v.value for v in values if isinstance(v, ast.Constant) and v.value in STATUS_WORDS]


def _names_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in STATUS_ATTRIBUTES


def _bare_status_words(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        found: list[str] = []
        if isinstance(node, ast.Compare) and _names_status(node.left):
            found = [w for c in node.comparators for w in _status_words(c)]
        elif isinstance(node, ast.Assign) and any(_names_status(t) for t in node.targets):
            found = _status_words(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.target.id in STATUS_ATTRIBUTES and isinstance(node.value, ast.Call):
            # status: Mapped[str] = mapped_column(String(20), default="running") in a table
            found = [w for k in node.value.keywords if k.arg == "default" for w in _status_words(k.value)]
        elif isinstance(node, ast.Call):
            # Model(status="open"), filter_by(status=...), mapped_column(..., default="running") on a status column
            found = [w for k in node.keywords if k.arg in STATUS_ATTRIBUTES for w in _status_words(k.value)]
        if found:
            yield f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {', '.join(found)}"


def test_status_words_next_to_status_columns_are_enum_members_in_engine_and_web() -> None:
    sources = [p for folder in ("engine", "web") for p in sorted((PROJECT_ROOT / folder).rglob("*.py"))]
    assert [hit for path in sources for hit in _bare_status_words(path)] == []


def test_sla_clock_and_extension_statuses_keep_the_stored_words() -> None:
    # The rows already stored (no migration) hold these words; the enums must go on reading them.
    assert [s.value for s in statuses.ClockStatus] == ["running", "paused", "met", "met_late", "extension_asked",
                                                          "cancelled"]
    assert [s.value for s in statuses.ExtensionStatus] == ["pending", "approved", "rejected", "withdrawn"]
    assert statuses.ClockStatus("met_late") == "met_late"
