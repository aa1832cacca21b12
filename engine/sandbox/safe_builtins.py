"""The builtins an expression or script can see: an allow-list, never the real module."""
from __future__ import annotations

import builtins
import importlib
from types import MappingProxyType
from typing import Any

from engine.errors import SandboxViolation

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

# Modules C code inside the allowed types imports for itself: date.strftime and format specs
# (f"{today():%Y-%m-%d}") import `time`, datetime.strptime imports `_strptime`.  CPython looks the
# importer up in the running code's builtins, so without one date formatting fails with
# KeyError('__import__').  Scripts cannot call it: the name starts with "_" and is refused when compiled.
_C_IMPORTS: frozenset[str] = frozenset({"time", "_strptime"})


def _import_for_c_code(name: str, globals: Any = None, locals: Any = None,  # noqa: A002 - __import__'s signature
                       fromlist: Any = (), level: int = 0) -> Any:
    if level == 0 and name in _C_IMPORTS:
        return importlib.import_module(name)
    raise SandboxViolation("import is not allowed")


SAFE_BUILTINS: MappingProxyType[str, Any] = MappingProxyType(
    {
        "None": None,
        "True": True,
        "False": False,
        "__import__": _import_for_c_code,
        **{name: getattr(builtins, name) for name in _ALLOWED_FUNCTIONS + _ALLOWED_EXCEPTIONS},
    }
)


def builtins_dict() -> dict[str, Any]:
    """A fresh dict for `__builtins__` (CPython requires a real dict there)."""
    return dict(SAFE_BUILTINS)
