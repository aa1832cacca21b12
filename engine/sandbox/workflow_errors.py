"""One-line, task-naming messages for errors raised while a workflow runs scripts."""
from __future__ import annotations

from typing import Any, TypeVar

from engine.errors import CasegridError, SandboxViolation
from engine.sandbox.spiff import REFUSED

E = TypeVar("E", bound=BaseException)


def describe_workflow_error(exc: BaseException) -> str:
    """"task 'Register' (register_task): sandbox refused: import is not allowed" and the like.

    Accepts SpiffWorkflow's WorkflowTaskException / WorkflowException as well
    as a bare SandboxViolation (SpiffWorkflow calls the environment directly
    for a few process-level conditions, where no task is known).
    """
    where = _where(exc)
    what = _what(exc)
    line = getattr(exc, "line_number", None)
    if isinstance(line, int) and line > 1:
        # Line 1 is the only line of most expressions; only mention real positions.
        what = f"{what} (line {line})"
    message = f"{where}: {what}" if where else what
    return " ".join(message.split())


def _where(exc: BaseException) -> str:
    task = getattr(exc, "task", None)
    spec = getattr(task, "task_spec", None) or getattr(exc, "task_spec", None)
    if spec is None:
        return ""
    bpmn_id = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    name = getattr(spec, "bpmn_name", None)
    if name and bpmn_id and name != bpmn_id:
        return f"task '{name}' ({bpmn_id})"
    return f"task '{name or bpmn_id}'"


def _what(exc: BaseException) -> str:
    violation = first_in_chain(exc, SandboxViolation)
    if violation is not None:
        return f"{REFUSED}: {violation.message}"
    stopped = first_in_chain(exc, CasegridError, include_self=False)
    if stopped is not None:
        # A budget or task-data refusal raised inside an expression: SpiffWorkflow's wrapper only
        # says "Error evaluating expression …"; the engine's words say why.
        return stopped.message
    base = str(exc.args[0]) if exc.args else type(exc).__name__
    if base.startswith(REFUSED):
        # Notes SpiffWorkflow appends (e.g. "Error evaluating expression ...")
        # repeat the source; the refusal itself is the useful part.
        return base
    notes: list[Any] = [n for n in getattr(exc, "notes", []) if n]
    return "; ".join([base, *(str(n).strip() for n in notes)])


def first_in_chain(exc: BaseException, kind: type[E], *, include_self: bool = True) -> E | None:
    """The first exception of `kind` in `exc`'s chain. SpiffWorkflow's DMN engine and script engine wrap
    errors with or without `from`, so it may sit in __context__ rather than __cause__."""
    seen: set[int] = set()
    current: BaseException | None = exc if include_self else (exc.__cause__ or exc.__context__)
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None
