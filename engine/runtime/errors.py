"""Turn what SpiffWorkflow and the sandbox raise while a case advances into one clear engine error."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import CasegridError, SandboxViolation, ScriptFailed, ScriptLimit, StepRefused
from engine.sandbox import describe_workflow_error
from engine.sandbox.workflow_errors import first_in_chain


@contextmanager
def advancing(case_label: str) -> Iterator[None]:
    """Wrap engine steps; the caller's transaction rolls back, so the case is left as it was."""
    try:
        yield
    except SandboxViolation as exc:
        raise SandboxViolation(f"{case_label}: {exc.message}") from exc
    except CasegridError:
        raise
    except SpiffWorkflowException as exc:
        refused = first_in_chain(exc, StepRefused, include_self=False)
        if refused is not None:
            # The process's script refused the user's input (refuse(...)): a form error, not a failure.
            raise StepRefused(f"{case_label}: {refused.message}", refused.details, key=refused.key,
                              params=refused.params) from exc
        message = describe_workflow_error(exc)
        cause = first_in_chain(exc, CasegridError, include_self=False)
        if isinstance(cause, CasegridError) and not isinstance(cause, SandboxViolation):
            # A budget or task-data refusal keeps its own code (script_limit, …), now naming the element.
            raise type(cause)(f"{case_label}: {message}") from exc
        cls = SandboxViolation if "sandbox" in message else ScriptFailed
        raise cls(f"{case_label}: {message}") from exc
    except RecursionError as exc:
        raise ScriptLimit(f"{case_label}: script stopped: calls nested too deeply") from exc
    except (NameError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError, IndexError) as exc:
        raise ScriptFailed(f"{case_label}: {type(exc).__name__}: {exc}") from exc
