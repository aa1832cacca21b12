"""Sandboxed evaluation of the expressions and scripts found in BPMN and DMN definitions.

Everything a diagram runs goes through here: gateway conditions, script tasks,
DMN cells, timer expressions.  Sources are compiled by RestrictedPython with
casegrid's extra policy (see policy.py) and run against guarded globals, safe
builtins and the documented helpers (see helpers.py).  Refusals raise
engine.errors.SandboxViolation.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from engine.errors import SandboxViolation
from engine.sandbox import runtime
from engine.sandbox.compiler import compile_source
from engine.sandbox.helpers import describe_helpers, register_helper, unregister_helper
from engine.sandbox.spiff import SandboxedEnvironment, SandboxedScriptEngine
from engine.sandbox.workflow_errors import describe_workflow_error

__all__ = [
    "SandboxedEnvironment",
    "SandboxedScriptEngine",
    "check_syntax",
    "describe_helpers",
    "describe_workflow_error",
    "evaluate",
    "execute",
    "register_helper",
    "unregister_helper",
]


# The value of `expression` with the keys of `context` as variables; the context is not changed.
# Bound directly (not wrapped) because conditions and DMN cells call it on every step.
evaluate: Callable[[str, Mapping[str, Any]], Any] = runtime.evaluate


def execute(script: str, context: dict[str, Any]) -> None:
    """Run `script`; variables it assigns become keys of `context` (dates stored as ISO strings).

    All or nothing: when the script raises, `context` is left untouched.
    """
    runtime.execute(script, context)


def check_syntax(source: str, mode: Literal["eval", "exec"]) -> str | None:
    """None when `source` compiles in the sandbox, else a one-line reason for deploy-time validation."""
    try:
        compile_source(source, mode)
    except SyntaxError as err:
        return f"syntax error at line {err.lineno}: {err.msg}" if err.lineno else f"syntax error: {err.msg}"
    except SandboxViolation as err:
        line = err.details.get("line") if isinstance(err.details, dict) else None
        multi_line = len(source.strip().splitlines()) > 1
        return f"line {line}: {err.message}" if line and multi_line else err.message
    return None
