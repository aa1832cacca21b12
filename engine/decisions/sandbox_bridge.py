"""The one place decisions reach engine.sandbox, imported lazily.

Expressions that are not FEEL literals or plain paths run in the sandbox.  Importing it lazily
keeps this package usable (and its tests green) before, and independently of, the sandbox.
"""
from __future__ import annotations

import ast
from collections.abc import Mapping
from types import ModuleType
from typing import Any


def _sandbox() -> ModuleType | None:
    try:
        from engine import sandbox
    except ModuleNotFoundError as exc:
        if exc.name in ("engine.sandbox",):
            return None
        raise
    return sandbox


def check_syntax(source: str) -> str | None:
    """Why ``source`` is not a valid expression, or None.  Never executes anything."""
    sandbox = _sandbox()
    if sandbox is not None and hasattr(sandbox, "check_syntax"):
        return sandbox.check_syntax(source, "eval")
    try:
        ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return f"{exc.msg} at column {exc.offset}"
    return None


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    sandbox = _sandbox()
    if sandbox is None:
        raise RuntimeError(f"expression {expression!r} needs engine.sandbox, which is not installed")
    # A shallow copy: an expression must not be able to rebind names in the task data.
    return sandbox.evaluate(expression, dict(context))
