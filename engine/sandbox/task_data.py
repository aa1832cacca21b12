"""Task data is JSON: what a script leaves behind is converted (dates, tuples) or refused, naming the variable.

A value JSON cannot hold (NaN, a set, a generator, a range, bytes, a number too long to print) used to
be stored as a string, stored as invalid JSON or fail later with a 500; refusing it when the script
ends names the script's element and the variable, and leaves the case as it was.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from engine.errors import ScriptFailed

# Python prints at most 4,300 digits of an integer (sys.int_info.default_max_str_digits); JSON is text.
MAX_DIGITS = 4300
_MAX_BITS = int(MAX_DIGITS / 0.30103) - 4
# Deeper nesting than any form or rule needs; deeper values also break serialisers' recursion.
MAX_DEPTH = 100

_KINDS = {"set": "a set", "frozenset": "a set", "generator": "a generator", "range": "a range",
          "bytes": "bytes", "bytearray": "bytes", "map": "a map object", "filter": "a filter object",
          "zip": "a zip object", "enumerate": "an enumerate object", "reversed": "a reversed object"}
_HINTS = {"set": "use a list: sorted(...)", "frozenset": "use a list: sorted(...)", "generator": "use a list: list(...)",
          "range": "use a list: list(...)", "map": "use a list: list(...)", "filter": "use a list: list(...)",
          "zip": "use a list: list(...)", "enumerate": "use a list: list(...)", "reversed": "use a list: list(...)"}


def to_task_data(value: Any, name: str) -> Any:
    """`value` as JSON-ready task data (dates as ISO strings, tuples as lists); ScriptFailed naming `name` if it cannot be."""
    return _convert(value, name, 0)


def _refuse(name: str, what: str) -> ScriptFailed:
    return ScriptFailed(f"variable '{name}' {what}; task data is JSON and cannot store it")


def _convert(value: Any, name: str, depth: int) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        if value.bit_length() > _MAX_BITS:
            try:
                str(value)
            except ValueError:
                raise _refuse(name, f"holds a number of more than {MAX_DIGITS:,} digits") from None
        return value
    if type(value) is float:
        if not math.isfinite(value):
            raise _refuse(name, f"holds {value!r}")
        return value
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
        raise _refuse(name, f"is nested more than {MAX_DEPTH} levels deep")
    if type(value) is dict:
        return {_key(k, name): _convert(v, name, depth + 1) for k, v in value.items()}
    if type(value) in (list, tuple):
        return [_convert(v, name, depth + 1) for v in value]
    kind = type(value).__name__
    hint = _HINTS.get(kind)
    what = f"holds {_KINDS.get(kind, f'a {kind} value')}"
    raise _refuse(name, f"{what} ({hint})" if hint else what)


def _key(key: Any, name: str) -> str:
    # JSON keys are text; numbers and booleans become their JSON spelling, as json.dumps would.
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if type(key) is int:
        return str(key)
    if type(key) is float and math.isfinite(key):
        return repr(key)
    raise _refuse(name, f"has a key of type {type(key).__name__}; dictionary keys must be text")
