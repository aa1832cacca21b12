"""Turn whatever a failed step raised into an incident's kind, element and error in words."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from engine.errors import CasegridError, SandboxViolation, ScriptFailed
from engine.messages.errors import NoWaitingCase
from engine.store.models.incidents import IncidentKind

# engine.runtime.errors.advancing prefixes every message with "case <business key>".
_CASE_LABEL = re.compile(r"^case (\S+?)[,:]")


@dataclass(frozen=True)
class Failure:
    kind: IncidentKind
    error: str
    element: str | None = None
    element_name: str | None = None
    case_key: str | None = None
    process_key: str | None = None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _spiff_place(exc: BaseException) -> tuple[Any | None, Any | None]:
    """The SpiffWorkflow task and task spec the error names (some errors name only the spec)."""
    for link in _chain(exc):
        task = getattr(link, "task", None)
        if task is not None and getattr(task, "task_spec", None) is not None:
            return task, task.task_spec
        spec = getattr(link, "task_spec", None)
        if spec is not None:
            return None, spec
    return None, None


def kind_of(exc: BaseException) -> IncidentKind:
    if isinstance(exc, NoWaitingCase):
        return IncidentKind.MESSAGE
    if isinstance(exc, (ScriptFailed, SandboxViolation)):
        return IncidentKind.SCRIPT
    if isinstance(exc, CasegridError):
        return IncidentKind.TIMER
    return IncidentKind.WORKER


def describe(exc: BaseException, kind: IncidentKind | None = None) -> Failure:
    """The failure as an operator reads it; an unexpected exception is named by its type."""
    error = exc.message if isinstance(exc, CasegridError) else f"{type(exc).__name__}: {exc}"
    task, spec = _spiff_place(exc)
    element = element_name = case_key = process_key = None
    if spec is not None:
        element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
        element_name = getattr(spec, "bpmn_name", None)
    if task is not None:
        workflow = getattr(task, "workflow", None)
        top = getattr(workflow, "top_workflow", None) or workflow
        process_key = getattr(getattr(top, "spec", None), "name", None)
        data = getattr(task, "data", None) or {}
        case_key = data.get("case_key") if isinstance(data, dict) else None
    if case_key is None:
        match = _CASE_LABEL.match(error)
        case_key = match.group(1) if match else None
    return Failure(kind or kind_of(exc), " ".join(error.split())[:4000], element, element_name,
                   case_key, process_key)
