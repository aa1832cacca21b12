"""Turn untrusted source into restricted bytecode, once per distinct source."""
from __future__ import annotations

import ast
import dis
import re
import textwrap
from collections.abc import Sequence
from functools import lru_cache
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.errors import SandboxViolation
from engine.sandbox.guards import BUDGETED_NAMES, HOOK_NAMES
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


# The hot path of evaluate(): the exact text as written (not normalised) to its bytecode and plan, in a
# plain dict, because an lru_cache lookup plus normalising costs more than evaluating a short condition.
_EVAL_BY_TEXT: dict[str, tuple[CodeType, tuple[str, ...] | None]] = {}
# The texts whose plan is () (they call no guard at all), for evaluate() to run without a further check.
_DIRECT: dict[str, CodeType] = {}
_by_text_hits = [0]


def compiled_expression(source: str) -> tuple[CodeType, tuple[str, ...] | None]:
    """compile_source(source, "eval") and its plan (see expression_plan), remembered by the exact text."""
    entry = _EVAL_BY_TEXT.get(source) if type(source) is str else None
    if entry is not None:
        _by_text_hits[0] += 1
        return entry
    code = compile_source(source, "eval")
    entry = (code, expression_plan(code))
    if len(_EVAL_BY_TEXT) >= _CACHE_SIZE:
        _EVAL_BY_TEXT.clear()
        _DIRECT.clear()
    _EVAL_BY_TEXT[source] = entry
    if entry[1] == ():
        _DIRECT[source] = code
    return entry


def expression_plan(code: CodeType) -> tuple[str, ...] | None:
    """How an expression may run: None when it needs a namespace and a budget of its own, else the guard
    names it calls (which case data must not shadow).

    It needs its own when it contains nested code (a comprehension or lambda: those look names up as
    globals and loop), binds a name (`x := ...`), or names anything bound to a budget (a checked
    operator, attribute access, iteration, `range`, `pow`). What is left reads names, compares,
    indexes and calls helpers and builtins over values the case data already holds: it can neither
    loop nor build anything larger than its inputs, nor write anywhere.
    """
    if any(isinstance(const, CodeType) for const in code.co_consts):
        return None
    if any(op.opname.startswith(("STORE_", "DELETE_", "IMPORT_")) for op in dis.get_instructions(code)):
        return None
    names = frozenset(code.co_names)
    if names & BUDGETED_NAMES:
        return None
    return tuple(sorted(names & HOOK_NAMES))


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
    info: dict[str, int | None] = dict(_compile_cached.cache_info()._asdict())
    info["hits"] = (info["hits"] or 0) + _by_text_hits[0]
    return info


def clear_cache() -> None:
    """Forget every compiled source (tests use it to measure compilation)."""
    _compile_cached.cache_clear()
    _EVAL_BY_TEXT.clear()
    _DIRECT.clear()
    _by_text_hits[0] = 0
