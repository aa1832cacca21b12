"""The documented functions expressions may call, and the registry other modules extend.

Other engine modules add their own (the calendar registers working-day helpers)
with `register_helper` at import time.  Evaluations do not copy the registry: they
look names up in one prebuilt, read-only base namespace (`BASE_NAMESPACE`) that
every registration updates in place, so registration order relative to engine
start-up does not matter.
"""
from __future__ import annotations

import inspect
import keyword
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.sandbox import date_helpers, lookup_helpers
from engine.sandbox.guards import GUARDS
from engine.sandbox.safe_builtins import SAFE_BUILTINS, builtins_dict


@dataclass(frozen=True)
class Helper:
    name: str
    fn: Callable[..., Any]
    doc: str


_registry: dict[str, Helper] = {}
_lock = threading.Lock()

# The builtins that are plain functions of values; `range` and `pow` are left to each evaluation's
# budget (engine.sandbox.runtime), `__import__` to the C code that needs it.
_BUDGETED_BUILTINS = frozenset({"range", "pow", "__import__"})

# What an evaluation finds below its case data: the registered helpers, the allowed builtins and the
# guards that need no budget. Built once and updated in place by (un)register_helper. No code run in
# the sandbox can reach this dict or store into it (engine.sandbox.runtime only hands it over as the
# globals of expressions that contain no assignment), so no evaluation can change what the next sees.
BASE_NAMESPACE: dict[str, Any] = {}
_PLAIN_BUILTINS = builtins_dict()


def _rebuild_base() -> None:
    """Called with the lock held: make BASE_NAMESPACE match the registry (same dict object)."""
    fresh: dict[str, Any] = {n: v for n, v in SAFE_BUILTINS.items() if n not in _BUDGETED_BUILTINS}
    fresh.update(GUARDS)
    fresh["__builtins__"] = _PLAIN_BUILTINS
    fresh.update((h.name, h.fn) for h in _registry.values())
    # In place and without a moment in which a kept name is missing: other threads may be evaluating.
    for stale in BASE_NAMESPACE.keys() - fresh.keys():
        del BASE_NAMESPACE[stale]
    BASE_NAMESPACE.update(fresh)


def register_helper(name: str, fn: Callable[..., Any], *, doc: str | None = None, replace: bool = False) -> None:
    """Make `fn` callable as `name(...)` from every expression and script.

    `doc` defaults to the first line of `fn.__doc__`, else the call signature,
    so describe_helpers() always has something for analysts to read.
    Registering an existing name raises unless `replace=True`, so two modules
    cannot silently shadow each other.
    """
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ValueError(f"helper name {name!r} must be a plain identifier not starting with '_'")
    if name in SAFE_BUILTINS:
        raise ValueError(f"helper name {name!r} would hide the builtin of the same name")
    if not callable(fn):
        raise TypeError(f"helper {name!r} must be callable")
    summary = (doc or _first_line(fn.__doc__)).strip() or _signature(name, fn)
    with _lock:
        if name in _registry and not replace:
            raise ValueError(f"helper {name!r} is already registered")
        _registry[name] = Helper(name, fn, summary)
        _rebuild_base()


def unregister_helper(name: str) -> None:
    """Remove a helper (tests and plug-in reloads); unknown names are ignored."""
    with _lock:
        _registry.pop(name, None)
        _rebuild_base()


def helper_namespace() -> dict[str, Callable[..., Any]]:
    """Name → function for every registered helper, as injected into evaluations."""
    with _lock:
        return {h.name: h.fn for h in _registry.values()}


def describe_helpers() -> dict[str, str]:
    """Name → one-line description of every helper, sorted by name, for the docs and the studio."""
    with _lock:
        return {name: _registry[name].doc for name in sorted(_registry)}


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def _signature(name: str, fn: Callable[..., Any]) -> str:
    try:
        return f"{name}{inspect.signature(fn)}"
    except (TypeError, ValueError):
        return f"{name}(...)"


def _register_builtin_helpers() -> None:
    for name, fn in (
        ("today", date_helpers.today),
        ("now", date_helpers.now),
        ("date", date_helpers.make_date),
        ("datetime", date_helpers.make_datetime),
        ("timedelta", date_helpers.make_timedelta),
        ("parse_date", date_helpers.parse_date),
        ("parse_datetime", date_helpers.parse_datetime),
        ("days_between", date_helpers.days_between),
        ("add_days", date_helpers.add_days),
        ("contains", lookup_helpers.contains),
        ("get", lookup_helpers.get),
        ("refuse", lookup_helpers.refuse),
    ):
        register_helper(name, fn, replace=True)


def _register_calendar_helpers() -> None:
    # The working-day helpers live in the pure calendar package, which does not know the sandbox;
    # the registry pulls them in at its own import, so every process has them exactly once.
    from engine.calendar import register_sandbox_helpers

    register_sandbox_helpers(lambda name, fn: register_helper(name, fn, replace=True))


_register_builtin_helpers()
_register_calendar_helpers()
