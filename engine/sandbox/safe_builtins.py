"""The builtins an expression or script can see: an allow-list, never the real module."""
from __future__ import annotations

import builtins
from types import MappingProxyType
from typing import Any

# Pure functions over values and the constructors of task-data types.  Left
# out on purpose: anything that reaches code, frames, modules, the file system
# or arbitrary attributes (open, eval, exec, compile, __import__, getattr,
# globals, vars, dir, type, object, super, format, input, breakpoint).
_ALLOWED_FUNCTIONS: tuple[str, ...] = (
    "abs",
    "all",
    "any",
    "bool",
    "callable",
    "chr",
    "dict",
    "divmod",
    "enumerate",
    "filter",
    "float",
    "frozenset",
    "int",
    # isinstance only answers a question about a value; the classes it can be
    # asked about are the allowed constructors, so it leaks nothing new.
    "isinstance",
    "len",
    "list",
    "map",
    "max",
    "min",
    "ord",
    "pow",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "sorted",
    "str",
    "sum",
    "tuple",
    "zip",
)

# Scripts may raise these to fail a task on purpose, and catch the ones their
# own arithmetic or lookups produce.
_ALLOWED_EXCEPTIONS: tuple[str, ...] = (
    "ArithmeticError",
    "AssertionError",
    "Exception",
    "IndexError",
    "KeyError",
    "LookupError",
    "StopIteration",
    "TypeError",
    "ValueError",
    "ZeroDivisionError",
)

SAFE_BUILTINS: MappingProxyType[str, Any] = MappingProxyType(
    {
        "None": None,
        "True": True,
        "False": False,
        **{name: getattr(builtins, name) for name in _ALLOWED_FUNCTIONS + _ALLOWED_EXCEPTIONS},
    }
)


def builtins_dict() -> dict[str, Any]:
    """A fresh dict for `__builtins__` (CPython requires a real dict there)."""
    return dict(SAFE_BUILTINS)
