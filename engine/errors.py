"""Errors the engine raises; web/ and the CLI map them to HTTP statuses and exit codes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, reported on one line."""

    file: str
    element: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.element}" if self.element else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "element": self.element, "message": self.message}


class CasegridError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"
    status = 400

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(CasegridError):
    """Input that fails validation (form data, filters, arguments); details holds field errors."""

    code = "invalid_input"
    status = 422


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
