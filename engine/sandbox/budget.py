"""The budget of one evaluation: wall-clock time, operations, and the size of what it builds.

RestrictedPython bounds what text can reach, not how long it runs.  The policy (policy.py) rewrites
loops, function bodies and lambdas to call `_tick_` and the size-changing operators (`*`, `**`,
`<<`, `+`, `%`, f-string widths) to call the checked versions below, so that a runaway script stops
with engine.errors.ScriptLimit instead of occupying a worker and the database's write lock.

An operation is one loop pass (for, while, comprehension), one function or lambda call.  Sizes are
checked *before* a multiplying operation builds its result (`'a' * 10**10` never allocates), and every
large result is also charged to a total so a loop cannot build many large values either.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from time import monotonic
from typing import Any

from engine.config import settings
from engine.errors import SandboxViolation, ScriptLimit

# Integers beyond this many bits (about 10,000 decimal digits) are refused while a script runs; task
# data keeps fewer still (engine.sandbox.task_data).  Arithmetic on such numbers is what makes
# `10**10**8` take minutes, so the check comes before the operation.
MAX_INT_BITS = 33_220
# Everything a single evaluation builds through checked operations, as a multiple of the largest value.
TOTAL_ITEMS_FACTOR = 10
# Concatenations and formatted strings shorter than this are not counted towards the total: building a
# short text piece by piece is ordinary, and counting it would charge the quadratic sum of its lengths.
SMALL_RESULT = 10_000

_SIZED = (str, bytes, list, tuple)
# "%10d", "%-*.3f", "{:>10}", "{:.2f}": the numbers whose size a formatter would honour.
_WIDTHS = re.compile(r"\d+")


@dataclass(frozen=True)
class Limits:
    seconds: float
    operations: int
    max_items: int

    @classmethod
    def from_settings(cls) -> Limits:
        current = settings()
        return cls(current.script_time_limit_seconds, current.script_operation_limit, current.script_max_items)


def _count(n: int) -> str:
    return f"{n:,}"


class Budget:
    """Counts one evaluation's operations and sizes; raises ScriptLimit once any is exceeded, and keeps raising."""

    __slots__ = ("limits", "operations_left", "items_left", "deadline", "exceeded")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.operations_left = limits.operations
        self.items_left = limits.max_items * TOTAL_ITEMS_FACTOR
        self.deadline = monotonic() + limits.seconds
        self.exceeded: ScriptLimit | None = None

    def _stop(self, message: str) -> ScriptLimit:
        # Remember the first reason: a script that catches the error cannot go on, every later
        # tick raises it again and the runtime raises it after the script ends.
        if self.exceeded is None:
            self.exceeded = ScriptLimit(f"script stopped: {message}")
        return self.exceeded

    def tick(self, value: Any = None) -> Any:
        """One operation; returns `value` so it can wrap a lambda's body."""
        self.operations_left -= 1
        if self.exceeded is not None:
            raise self.exceeded
        if self.operations_left < 0:
            raise self._stop(f"more than {_count(self.limits.operations)} operations (loop passes and calls)")
        if monotonic() > self.deadline:
            raise self._stop(f"it ran longer than {self.limits.seconds:g} s")
        return value

    def charge(self, items: int) -> None:
        """A value of `items` elements or characters is about to be built."""
        if self.exceeded is not None:
            raise self.exceeded
        self.check_size(items)
        self.items_left -= items
        if self.items_left < 0:
            raise self._stop(f"it built more than {_count(self.limits.max_items * TOTAL_ITEMS_FACTOR)} "
                             "items and characters in all")

    def charge_large(self, items: int) -> None:
        """Like charge, but results below SMALL_RESULT only count against the largest size."""
        if items >= SMALL_RESULT:
            self.charge(items)

    def check_size(self, items: int) -> None:
        if items > self.limits.max_items:
            raise self._stop(f"a value of {_count(items)} items or characters would exceed the limit of "
                             f"{_count(self.limits.max_items)}")

    def check_int_bits(self, bits: int) -> None:
        if bits > MAX_INT_BITS:
            digits = int(bits * 0.30103)
            raise self._stop(f"a number of about {_count(digits)} digits would exceed the limit of "
                             f"{_count(int(MAX_INT_BITS * 0.30103))} digits")

    # --- the operators the policy rewrites ---------------------------------------------------------

    def mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, _SIZED) and type(b) in (int, bool):
            self.charge(len(a) * max(b, 0))
        elif isinstance(b, _SIZED) and type(a) in (int, bool):
            self.charge(len(b) * max(a, 0))
        elif type(a) is int and type(b) is int:
            self.check_int_bits(a.bit_length() + b.bit_length())
        return a * b

    def pow(self, a: Any, b: Any, mod: Any = None) -> Any:
        if mod is None and type(a) is int and type(b) is int and b > 0 and abs(a) > 1:
            # bit_length(a ** b) <= b * bit_length(a); compared without computing the power.
            self.check_int_bits(b * a.bit_length() if b < MAX_INT_BITS + 1 else MAX_INT_BITS + 1)
        if mod is None:
            return a**b
        return pow(a, b, mod)

    def lshift(self, a: Any, b: Any) -> Any:
        if type(a) is int and type(b) is int and a and b > 0:
            self.check_int_bits(a.bit_length() + min(b, MAX_INT_BITS + 1))
        return a << b

    def add(self, a: Any, b: Any) -> Any:
        if isinstance(a, _SIZED) and isinstance(b, _SIZED):
            self.charge_large(len(a) + len(b))
        return a + b

    def mod(self, a: Any, b: Any) -> Any:
        if isinstance(a, str):
            # "%1000000000d" % 1: the width is honoured by C code, so check it first.
            self.check_widths(a)
            result = a % b
            self.charge_large(len(result))
            return result
        return a % b

    def check_widths(self, text: str) -> None:
        for number in _WIDTHS.findall(text):
            if len(number) > 9 or int(number) > self.limits.max_items:
                self.charge(int(number))

    def format_value(self, value: Any, conversion: int, spec: str) -> str:
        """One `{value!r:spec}` of an f-string: the width and precision are checked before formatting."""
        self.check_widths(spec)
        if conversion == ord("r"):
            value = repr(value)
        elif conversion == ord("s"):
            value = str(value)
        elif conversion == ord("a"):
            value = ascii(value)
        result = format(value, spec)
        self.charge_large(len(result))
        return result

    def inplace(self, op: str, target: Any, value: Any) -> Any:
        checked = _CHECKED_INPLACE.get(op)
        if checked is None:
            plain = _PLAIN_INPLACE.get(op)
            if plain is None:
                raise SandboxViolation(f"operator {op} is not allowed")
            return plain(target, value)
        if type(target) is list and op in ("+=", "*="):
            # Lists change in place (another name may hold the same list), after the same size check.
            if op == "+=":
                self.charge_large(len(target) + _size(value))
                target += value
            else:
                if type(value) in (int, bool):
                    self.charge(len(target) * max(value, 0))
                target *= value
            return target
        return checked(self, target, value)

    def range(self, *args: int) -> range:
        result = range(*args)
        self.charge(len(result))
        return result

    def iterate(self, obj: Iterable[Any]) -> Iterator[Any]:
        return _Counted(iter(obj), self.tick)

    # --- methods whose result can be far larger than their inputs ----------------------------------

    def bound_method(self, obj: Any, name: str, method: Any) -> Any:
        if isinstance(obj, str) and name in _STR_CHECKS:
            return _checked_call(method, lambda *args, **kw: _STR_CHECKS[name](self, obj, *args, **kw))
        if type(obj) is list and name == "extend":
            return _checked_call(method, lambda values: self.charge_large(len(obj) + _size(values)))
        return method


# The checked operator behind each in-place one (looked up per call: one dict, not one per `+=`).
_CHECKED_INPLACE: dict[str, Callable[[Budget, Any, Any], Any]] = {
    "+=": Budget.add,
    "*=": Budget.mul,
    "**=": Budget.pow,
    "<<=": Budget.lshift,
    "%=": Budget.mod,
}


def _size(values: Any) -> int:
    return len(values) if isinstance(values, (str, bytes, list, tuple, dict, set, frozenset, range)) else 0


def _checked_call(method: Callable[..., Any], check: Callable[..., None]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return method(*args, **kwargs)
    return call


def _join_size(budget: Budget, text: str, parts: Any, *_: Any) -> None:
    if isinstance(parts, (list, tuple)):
        budget.charge(sum(len(p) for p in parts if isinstance(p, str)) + len(text) * max(len(parts) - 1, 0))


def _pad_size(budget: Budget, text: str, width: Any = 0, *_: Any, **__: Any) -> None:
    if type(width) is int:
        budget.charge(max(width, len(text)))


def _replace_size(budget: Budget, text: str, old: Any = "", new: Any = "", *rest: Any) -> None:
    if isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if rest and type(rest[0]) is int and rest[0] >= 0:
            count = min(count, rest[0])
        budget.charge(len(text) + count * max(len(new) - len(old), 0))


def _tabs_size(budget: Budget, text: str, tabsize: Any = 8, *_: Any) -> None:
    if type(tabsize) is int:
        budget.charge(len(text) + text.count("\t") * max(tabsize, 0))


_STR_CHECKS: dict[str, Callable[..., None]] = {
    "join": _join_size,
    "ljust": _pad_size,
    "rjust": _pad_size,
    "center": _pad_size,
    "zfill": _pad_size,
    "replace": _replace_size,
    "expandtabs": _tabs_size,
}

_PLAIN_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "-=": operator.isub,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


class _Counted:
    """An iterator that charges one operation per item: for loops and comprehensions go through it."""

    __slots__ = ("_items", "_tick")

    def __init__(self, items: Iterator[Any], tick: Callable[[], Any]) -> None:
        self._items = items
        self._tick = tick

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        self._tick()
        return next(self._items)
