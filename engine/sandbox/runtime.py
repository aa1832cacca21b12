"""Run compiled expressions and scripts against task data."""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from engine.sandbox.budget import Budget, Limits
from engine.sandbox.compiler import compile_source
from engine.sandbox.guards import GUARDS, HOOK_NAMES, budget_hooks
from engine.sandbox.helpers import helper_namespace
from engine.sandbox.safe_builtins import builtins_dict
from engine.sandbox.task_data import to_task_data


def build_namespace(
    context: Mapping[str, Any],
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
    budget: Budget | None = None,
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
    budget = budget or Budget(Limits.from_settings())
    namespace.update(GUARDS)
    namespace.update(budget_hooks(budget))
    builtins = builtins_dict()
    builtins["range"] = budget.range
    builtins["pow"] = budget.pow
    namespace["__builtins__"] = builtins
    return namespace, injected


def evaluate(
    expression: str,
    context: Mapping[str, Any],
    *,
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> Any:
    code = compile_source(expression, "eval")
    budget = Budget(Limits.from_settings())
    namespace, _ = build_namespace(context, external_context, extra_globals, budget)
    value = _within(budget, lambda: eval(code, namespace))  # noqa: S307 - restricted bytecode, guarded namespace
    return value


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
    budget = Budget(Limits.from_settings())
    namespace, injected = build_namespace(working, external_context, extra_globals, budget)
    _within(budget, lambda: exec(code, namespace))  # noqa: S102 - restricted bytecode, guarded namespace
    result = _harvest(namespace, injected, context)
    context.clear()
    context.update(result)


def _within(budget: Budget, run: Callable[[], Any]) -> Any:
    """Run user code; a limit it hit stops it even when the code caught the error and carried on."""
    try:
        value = run()
    except RecursionError as exc:
        raise budget.exceeded or exc from None
    except Exception as exc:
        if budget.exceeded is not None and budget.exceeded is not exc:
            # Whatever the script raised while (or after) running out, the limit is the reason.
            raise budget.exceeded from exc
        raise
    if budget.exceeded is not None:
        raise budget.exceeded
    return value


def _harvest(namespace: dict[str, Any], injected: dict[str, Any], original: Mapping[str, Any]) -> dict[str, Any]:
    """The task data after a script: its variables, without what the sandbox put there.

    Like TaskDataEnvironment, functions are dropped (a `def` in a script is a
    local tool, not data).  An injected name stays only when the script or the
    data rebound it, i.e. it no longer holds the injected object.
    """
    result: dict[str, Any] = {}
    for name, value in namespace.items():
        if name == "__builtins__" or name in HOOK_NAMES:
            continue
        if name in injected and value is injected[name]:
            continue
        if callable(value):
            continue
        result[name] = to_task_data(value, name)
    # A data key spelled like a guard hook was hidden during the run; keep it.
    for name in HOOK_NAMES & original.keys():
        result[name] = original[name]
    return result
