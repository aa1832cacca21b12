"""Turn untrusted source into restricted bytecode, once per distinct source."""
from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.errors import SandboxViolation
from engine.sandbox.policy import SandboxPolicy

Mode = Literal["eval", "exec"]

# SpiffWorkflow looks for this filename in tracebacks to report the failing line.
SCRIPT_FILENAME = "<string>"

_LINE_PREFIX = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)

# Large enough for every condition, script and DMN cell of all deployed
# versions; a miss only costs one recompilation.
_CACHE_SIZE = 4096


def normalise_source(source: str, mode: Mode) -> str:
    """Strip the indentation BPMN XML editors put around embedded text.

    Scripts keep their leading blank lines so reported line numbers match
    the text the analyst sees.
    """
    if mode == "eval":
        return source.strip()
    return textwrap.dedent(source)


def compile_source(source: str, mode: Mode) -> CodeType:
    """Restricted bytecode for `source`; raises SyntaxError or SandboxViolation.

    Failures are not cached (lru_cache never caches exceptions), which is fine:
    refused sources are rare and are reported at deploy time anyway.
    """
    if mode not in ("eval", "exec"):
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise TypeError(f"source must be a string, not {type(source).__name__}")
    try:
        return _compile_cached(normalise_source(source, mode), mode)
    except RecursionError:
        # Python's parser, RestrictedPython's transformer and the compiler all recurse once per level
        # of nesting (`a + a + …` 3,000 times, 900 unary minuses): a refusal, not an internal error.
        raise SandboxViolation("the text is nested too deeply to compile; split it into smaller steps") from None


@lru_cache(maxsize=_CACHE_SIZE)
def _compile_cached(source: str, mode: Mode) -> CodeType:
    # Parse ourselves so that a plain syntax error stays a SyntaxError (DMN's
    # engine relies on that to decide whether a cell needs an implicit "==").
    tree = ast.parse(source, SCRIPT_FILENAME, mode)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(tree, filename=SCRIPT_FILENAME, policy=SandboxPolicy)
    if result.errors or result.code is None:
        raise _violation(result.errors)
    return result.code


def _violation(errors: Sequence[str]) -> SandboxViolation:
    refusals = [_split_line(e) for e in errors]
    if not refusals:
        return SandboxViolation("source refused by the sandbox")
    line, message = refusals[0]
    details = {
        "line": line,
        "refusals": [{"line": ln, "message": msg} for ln, msg in refusals],
    }
    return SandboxViolation(message, details)


def _split_line(error: str) -> tuple[int | None, str]:
    match = _LINE_PREFIX.match(error)
    if not match:
        return None, error
    line = int(match.group(1)) if match.group(1).isdigit() else None
    return line, _tidy(match.group(2))


def _tidy(message: str) -> str:
    # RestrictedPython ends sentences with a period and names itself; analysts
    # read these in a one-line error, so keep them short.
    message = message.replace(", that is forbidden to access in RestrictedPython", " and not allowed")
    return message.rstrip(".")


def cache_info() -> dict[str, int | None]:
    """Hit/miss counters of the compile cache, for diagnostics and tests."""
    return dict(_compile_cached.cache_info()._asdict())


def clear_cache() -> None:
    """Forget every compiled source (tests use it to measure compilation)."""
    _compile_cached.cache_clear()
