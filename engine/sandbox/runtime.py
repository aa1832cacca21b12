"""Run compiled expressions and scripts against task data."""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from time import monotonic
from typing import Any

from engine.config import settings
from engine.sandbox.budget import TOTAL_ITEMS_FACTOR, Budget, Limits
from engine.sandbox.compiler import _DIRECT, _by_text_hits, compile_source, compiled_expression
from engine.sandbox.guards import GUARDS, HOOK_NAMES, budget_hooks
from engine.sandbox.helpers import BASE_NAMESPACE
from engine.sandbox.safe_builtins import builtins_dict
from engine.sandbox.task_data import to_task_data


class _Layer(dict):  # type: ignore[type-arg]
    """The globals of one evaluation: case data and the guards in the dict itself, everything else below.

    A name not in the dict (a helper, a builtin) is looked up in the prebuilt BASE_NAMESPACE by
    dict's own `__missing__` protocol, in C, without copying the helpers into every evaluation.
    Writes (a script's assignments) land in this dict and die with it; the base is never written.
    """

    __slots__ = ()
    __missing__ = BASE_NAMESPACE.__getitem__


class _Runner:
    """One evaluation's budget with the hooks bound to it, built once and reused by later evaluations.

    A runner serves one evaluation at a time: it is taken out of the pool for the run and put back
    afterwards, so threads and nested evaluations (a helper that evaluates) each get their own. The
    budget is reset to the current limits before every run.
    """

    __slots__ = ("budget", "top", "builtins")

    def __init__(self) -> None:
        self.budget = Budget(_limits())
        builtins = builtins_dict()
        builtins["range"] = self.budget.range
        builtins["pow"] = self.budget.pow
        self.builtins = builtins
        # What the case data must never replace: the guards, the budget's hooks and the builtins.
        top: dict[str, Any] = dict(GUARDS)
        top.update(budget_hooks(self.budget))
        top["__builtins__"] = builtins
        self.top = top


_POOL: list[_Runner] = []
_limits_for: list[Any] = [None, None]  # [settings object, Limits read from it]


def _limits() -> Limits:
    """The limits of the current settings, read again only when the settings object changes."""
    current = settings()
    if _limits_for[0] is not current:
        _limits_for[1] = Limits.from_settings()
        _limits_for[0] = current
    return _limits_for[1]  # type: ignore[no-any-return]


def _start(budget: Budget) -> None:
    limits = _limits()
    budget.limits = limits
    budget.operations_left = limits.operations
    budget.items_left = limits.max_items * TOTAL_ITEMS_FACTOR
    budget.deadline = monotonic() + limits.seconds
    budget.exceeded = None


def build_namespace(
    runner: _Runner,
    context: Mapping[str, Any],
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Globals for one run, and the injected (non-data) part of them.

    Precedence follows SpiffWorkflow's TaskDataEnvironment: environment globals,
    then external context, then task data.  Helpers and builtins sit below all of
    them (in the base namespace) so a data field called `date` stays readable.
    Guards and the budget's hooks go in last: task data comes from forms and must
    never be able to replace them.
    """
    if extra_globals or external_context:
        injected: dict[str, Any] = dict(extra_globals or {})
        injected.update(external_context or {})
        namespace = _Layer(injected)
        namespace.update(context)
    else:
        injected = _NOTHING
        namespace = _Layer(context)
    namespace.update(runner.top)
    return namespace, injected


_NOTHING: dict[str, Any] = {}


def evaluate(
    expression: str,
    context: Mapping[str, Any],
    *,
    external_context: Mapping[str, Any] | None = None,
    extra_globals: Mapping[str, Any] | None = None,
) -> Any:
    """The value of `expression` with the keys of `context` as variables; the context is not changed."""
    try:
        code = _DIRECT[expression]  # a subscript: markedly cheaper than .get() on this path
    except (KeyError, TypeError):  # TypeError: not hashable, so not a string; compile_source words that
        code = None
    if code is not None and not extra_globals and not external_context:
        # Nothing in it loops, builds, stores, reaches an attribute or calls a guard the case data could
        # shadow (see expression_plan): it reads the case data as its locals over the shared base.
        _by_text_hits[0] += 1
        return eval(code, BASE_NAMESPACE, context)  # noqa: S307 - restricted bytecode, guarded namespace
    return _evaluate(expression, context, external_context, extra_globals)


def _evaluate(
    expression: str,
    context: Mapping[str, Any],
    external_context: Mapping[str, Any] | None,
    extra_globals: Mapping[str, Any] | None,
) -> Any:
    code, guards_used = compiled_expression(expression)
    if guards_used is not None and not extra_globals and not external_context:
        # Only guards that need no budget, which the case data may not shadow.
        for name in guards_used:
            if name in context:
                break
        else:
            return eval(code, BASE_NAMESPACE, context)  # noqa: S307 - restricted bytecode, guarded namespace
    runner = _started_runner()
    try:
        if extra_globals or external_context:
            namespace: dict[str, Any] = build_namespace(runner, context, external_context, extra_globals)[0]
        else:
            namespace = _Layer(context)
            namespace.update(runner.top)
        return _within(runner.budget, eval, code, namespace)  # restricted bytecode, guarded namespace
    finally:
        _POOL.append(runner)


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
    runner = _started_runner()
    try:
        namespace, injected = build_namespace(runner, working, external_context, extra_globals)
        _within(runner.budget, exec, code, namespace)  # restricted bytecode, guarded namespace
    finally:
        _POOL.append(runner)
    result = _harvest(namespace, injected, context)
    context.clear()
    context.update(result)


def _started_runner() -> _Runner:
    """A runner from the pool (a new one when all are in use) with its budget started; the caller puts it
    back. A plain function, not a context manager: this is on every budgeted evaluation's path."""
    try:
        runner = _POOL.pop()
    except IndexError:
        runner = _Runner()
    _start(runner.budget)
    return runner


def _within(budget: Budget, run: Callable[..., Any], *args: Any) -> Any:
    """Run user code; a limit it hit stops it even when the code caught the error and carried on."""
    try:
        value = run(*args)
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
