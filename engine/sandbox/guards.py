"""Runtime hooks RestrictedPython's rewritten bytecode calls instead of raw operations.

The compiler rewrites `a.b` to `_getattr_(a, "b")`, `a[k]` to `_getitem_(a, k)`,
`a[k] = v` to `_write_(a)[k] = v`, `x += 1` to `x = _inplacevar_("+=", x, 1)`,
iteration to `_getiter_(...)`, and so on.  These functions decide at run time
what the compiler could not know statically (the type of `a`).
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.errors import SandboxViolation
from engine.sandbox.budget import Budget, Limits
from engine.sandbox.policy import CHECKED_OPERATORS, FORBIDDEN_ATTRIBUTES

# Containers task data is made of; scripts may assign into these and nothing else.
_WRITABLE_TYPES: frozenset[type] = frozenset({dict, list})

_INPLACE_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def attribute_refusal(obj: object, name: object) -> str | None:
    """Why reading `obj.<name>` is refused, or None when it is allowed."""
    if not isinstance(name, str):
        return "attribute names must be strings"
    if name.startswith("_"):
        return f'attribute "{name}" is not allowed (names starting with "_" are reserved)'
    if name in INSPECT_ATTRIBUTES:
        return f'attribute "{name}" is not allowed (it exposes interpreter internals)'
    if name in FORBIDDEN_ATTRIBUTES and (isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))):
        return f".{name}() is not allowed; use an f-string instead"
    return None


def guarded_getattr(obj: object, name: str, *default: Any) -> Any:
    """`obj.name` for the sandbox: the compile-time checks again, now knowing the type."""
    reason = attribute_refusal(obj, name)
    if reason is not None:
        raise SandboxViolation(reason)
    return getattr(obj, name, *default)


def guarded_getitem(obj: Any, key: Any) -> Any:
    """`obj[key]`; item access cannot reach internals of the JSON-like values scripts see."""
    return obj[key]


class _ReadOnly:
    """What `_write_` hands back for objects that are not task-data containers."""

    __slots__ = ("_type_name",)

    def __init__(self, obj: object) -> None:
        object.__setattr__(self, "_type_name", type(obj).__name__)

    def _refuse(self, *_args: object) -> None:
        raise SandboxViolation(f"changing a {self._type_name} object is not allowed")

    __setattr__ = _refuse
    __delattr__ = _refuse
    __setitem__ = _refuse
    __delitem__ = _refuse


def guarded_write(obj: Any) -> Any:
    """Target of `obj.attr = v` / `obj[k] = v`: plain dicts and lists only."""
    # Exact type check: a subclass could override __setitem__ with anything.
    if type(obj) in _WRITABLE_TYPES:
        return obj
    return _ReadOnly(obj)


def guarded_inplace(op: str, target: Any, value: Any) -> Any:
    """`target op= value` with the same in-place semantics as plain Python."""
    try:
        fn = _INPLACE_OPERATORS[op]
    except KeyError:
        raise SandboxViolation(f"operator {op} is not allowed") from None
    return fn(target, value)


def guarded_apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls written with *args / **kwargs; the callee was already reachable, so just call."""
    return fn(*args, **kwargs)


def guarded_iter(obj: Iterable[Any]) -> Iterator[Any]:
    return iter(obj)


# The hook names RestrictedPython's bytecode looks up in its globals.
GUARDS: dict[str, Any] = {
    "_getattr_": guarded_getattr,
    "_getitem_": guarded_getitem,
    "_write_": guarded_write,
    "_inplacevar_": guarded_inplace,
    "_apply_": guarded_apply,
    "_getiter_": guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
}


def budget_hooks(budget: Budget) -> dict[str, Any]:
    """The hooks that count against one evaluation's budget (they replace the plain ones above)."""

    def getattr_counted(obj: object, name: str, *default: Any) -> Any:
        return budget.bound_method(obj, name, guarded_getattr(obj, name, *default))

    return {
        "_getattr_": getattr_counted,
        "_getiter_": budget.iterate,
        "_inplacevar_": budget.inplace,
        "_tick_": budget.tick,
        "_mul_": budget.mul,
        "_pow_": budget.pow,
        "_lshift_": budget.lshift,
        "_add_": budget.add,
        "_mod_": budget.mod,
        "_format_": budget.format_value,
    }


# Every name whose object belongs to one evaluation's budget: the hooks above and the builtins that
# build sequences or numbers (`range`, `pow`). Code that names none of them never consults a budget.
BUDGETED_NAMES: frozenset[str] = frozenset(
    budget_hooks(Budget(Limits(1.0, 1, 1)))) | {"range", "pow"}

# Every name the sandbox puts into a run's globals besides helpers: never task data.
HOOK_NAMES: frozenset[str] = frozenset(GUARDS) | frozenset(CHECKED_OPERATORS.values()) | {"_tick_", "_format_"}
