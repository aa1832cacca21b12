"""Run compiled expressions and scripts against task data."""
from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from engine.sandbox.compiler import compile_source
from engine.sandbox.guards import GUARDS
from engine.sandbox.helpers import helper_namespace
from engine.sandbox.safe_builtins import builtins_dict


def build_namespace(
    context: Mapping[str, Any],
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Globals for one run, and the injected (non-data) part of them.

    Precedence follows SpiffWorkflow's TaskDataEnvironment: environment globals,
    then external context, then task data.  Helpers sit below all of them so a
    data field called `date` stays readable.  Guards and builtins go in last:
    task data comes from forms and must never be able to replace them.
    """
    injected: dict[str, Any] = {}
    injected.update(helper_namespace())
    injected.update(extra_globals or {})
    injected.update(external_context or {})
    namespace = dict(injected)
    namespace.update(context)
    namespace.update(GUARDS)
    namespace["__builtins__"] = builtins_dict()
    return namespace, injected


def evaluate(
    expression: str,
    context: Mapping[str, Any],
    *,
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> Any:
    code = compile_source(expression, "eval")
    namespace, _ = build_namespace(context, external_context, extra_globals)
    return eval(code, namespace)  # noqa: S307 - restricted bytecode, guarded namespace


def execute(
    script: str,
    context: dict[str, Any],
    *,
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> None:
    code = compile_source(script, "exec")
    # Work on a copy so that a script failing half-way leaves the task data
    # exactly as it was; the case is then retried or fixed from a clean state.
    working = copy.deepcopy(context)
    namespace, injected = build_namespace(working, external_context, extra_globals)
    exec(code, namespace)  # noqa: S102 - restricted bytecode, guarded namespace
    result = _harvest(namespace, injected, context)
    context.clear()
    context.update(result)


def _harvest(namespace: dict[str, Any], injected: dict[str, Any], original: Mapping[str, Any]) -> dict[str, Any]:
    """The task data after a script: its variables, without what the sandbox put there.

    Like TaskDataEnvironment, functions are dropped (a `def` in a script is a
    local tool, not data).  An injected name stays only when the script or the
    data rebound it, i.e. it no longer holds the injected object.
    """
    result: dict[str, Any] = {}
    for name, value in namespace.items():
        if name == "__builtins__" or name in GUARDS:
            continue
        if name in injected and value is injected[name]:
            continue
        if callable(value):
            continue
        result[name] = to_task_data(value)
    # A data key spelled like a guard hook was hidden during the run; keep it.
    for name in GUARDS.keys() & original.keys():
        result[name] = original[name]
    return result


def to_task_data(value: Any) -> Any:
    """Dates become ISO strings so task data stays JSON, recursively through dicts and lists."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if type(value) is dict:
        return {k: to_task_data(v) for k, v in value.items()}
    if type(value) is list:
        return [to_task_data(v) for v in value]
    return value
