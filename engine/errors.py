"""Errors the engine raises; web/ and the CLI map them to HTTP statuses and exit codes."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, reported on one line.

    `message` is English, for the CLI, the API and logs. `key` and `params`, as on CasegridError, let the
    studio word the line in the reader's language (web/problem_texts.py); a problem without a key is shown
    by its message. Params ending in ``_unit`` (department or grid cell), ``_role``, ``_lane`` (role or
    department) and ``_process`` hold codes, a list of them ending in ``_units``, ``_roles``: the studio
    shows their names. A code the engine knows the name of comes with it as ``<param>_name`` (``decision``
    with ``decision_name``, ``input`` with ``input_name``); a list of names ends in ``_titles``. Every key set in engine/ has a zh and an en text (tests/web/test_problem_texts.py).
    Two problems are equal when their lines are: key and params only word the line.

    `place` holds the facts that name the element in words (its type, name, labels, row; see
    engine/definitions/places.py), set by validation where the element can be read back against its file;
    the studio words it in the reader's language (web/problem_places.py), `element` stays as the engine wrote
    it (the CLI, the API, and the modeler selecting the element by its id)."""

    file: str
    element: str | None
    message: str
    key: str | None = field(default=None, compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)
    place: Mapping[str, Any] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}: {self.element}" if self.element else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "element": self.element, "message": self.message}


class CasegridError(Exception):
    """Base of every error the engine raises on purpose.

    `message` is English, for logs, the CLI and the API. `key` and `params` let the web UI word the error
    in the reader's language from its catalogue (web/error_texts.py): the key names what happened
    (``task.closed``), the params are the facts it needs (task name, case number). A param ending in
    ``_user`` holds a username, ``_unit`` a department or grid cell code, ``_status`` a status code and
    ``_process`` a process key: the UI shows their names, never the codes. Every key raised in engine/
    has a zh and an en text (tests/web/test_error_texts.py)."""

    code = "error"
    status = 400

    def __init__(self, message: str, details: Any = None, *, key: str | None = None,
                 params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.key = key
        self.params: dict[str, Any] = dict(params or {})


class InvalidInput(CasegridError):
    """Input that fails validation (form data, filters, arguments); details holds field errors."""

    code = "invalid_input"
    status = 422


class StepRefused(InvalidInput):
    """A process's script refused what the user submitted (the sandbox helper ``refuse``): the user's to
    fix, like a form error; details holds the field and the process's own words. The case is unchanged."""


class DefinitionInvalid(CasegridError):
    """Definitions that cannot be deployed; details is a list of Problem."""

    code = "definition_invalid"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in definitions", [p.as_dict() for p in problems])
        self.problems = problems


class NotFound(CasegridError):
    code = "not_found"
    status = 404


class Forbidden(CasegridError):
    code = "forbidden"
    status = 403


class Conflict(CasegridError):
    """Someone else changed the case first (optimistic lock) or the task is no longer open."""

    code = "conflict"
    status = 409


class SandboxViolation(CasegridError):
    """An expression or script in a definition tried something the sandbox refuses."""

    code = "sandbox_violation"
    status = 422


class ScriptFailed(CasegridError):
    """A script, condition or decision raised while a case was advancing; the case is unchanged."""

    code = "script_failed"
    status = 422


class ScriptLimit(ScriptFailed):
    """A script or expression exceeded its time, operation or size budget; stopped, and the case is unchanged."""

    code = "script_limit"
    status = 422


# -- wording of problem lines: one line each, in the reader's words, never a Python repr ----------------
def quoted(value: Any) -> str:
    """A value as a problem line names it: 'text', 3, a, b for a list, nothing for None."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(quoted(v) for v in value) or "an empty list"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def xml_reason(exc: Exception) -> str:
    """lxml's syntax error without its '(<string>, line N)' tail, which repeats the line."""
    message = getattr(exc, "msg", None) or str(exc)
    return " ".join(str(message).split())


def yaml_reason(exc: Exception) -> str:
    """PyYAML's error on one line: what was wrong and where, without its '<unicode string>' quoting."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(exc).split())


def parse_params(exc: Exception) -> dict[str, Any]:
    """A parser's refusal as problem params: its own words (`reason`, without the position) and the
    `line` and `column` it points at (None when it gives none), for a line worded around them."""
    line: int | None = None
    column: int | None = None
    reason = " ".join(str(exc).split())
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:  # PyYAML
        line, column = mark.line + 1, mark.column + 1
        reason = " ".join(str(getattr(exc, "problem", None) or reason).split())
    elif hasattr(exc, "colno") and hasattr(exc, "lineno"):  # json.JSONDecodeError
        line, column, reason = exc.lineno, exc.colno, str(getattr(exc, "msg", reason))
    elif hasattr(exc, "position"):  # lxml.etree.XMLSyntaxError
        line, column = exc.position
        reason = xml_reason(exc)
    return {"reason": reason, "line": line, "column": column}


def excerpt(text: str, limit: int = 60) -> str:
    """Text quoted in a problem line, shortened: a cell of thousands of brackets is named, not repeated."""
    flat = " ".join(text.split())
    return f"'{flat}'" if len(flat) <= limit else f"'{flat[:limit]}…'"
