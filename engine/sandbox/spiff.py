"""SpiffWorkflow integration: a script engine whose every eval/exec goes through the sandbox."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import CasegridError, SandboxViolation
from engine.sandbox import runtime
from engine.sandbox.compiler import compile_source

# Prefix that marks a refusal (as opposed to a script's own error) in messages.
REFUSED = "sandbox refused"


class SandboxedEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment with the same contract, but restricted compilation and guarded globals.

    `environment_globals` are trusted functions supplied by engine code (not by
    diagrams); like helpers they are callable from expressions, and task data
    may not overwrite them in a script (SpiffWorkflow's check_for_overwrite).
    """

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        self._prepare_context(context)
        return runtime.evaluate(expression, context, external_context=external_context, extra_globals=self.globals)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        self._prepare_context(context)
        runtime.execute(script, context, external_context=external_context, extra_globals=self.globals)
        return True


class SandboxedScriptEngine(PythonScriptEngine):
    """The script engine every casegrid workflow runs with.

    Refusals are re-raised as WorkflowTaskException chained to the
    SandboxViolation, with a message starting "sandbox refused:" so that
    describe_workflow_error can tell a refusal from a failing script.
    """

    def __init__(self, environment: SandboxedEnvironment | None = None,
                 environment_globals: dict[str, Any] | None = None) -> None:
        if environment is not None and not isinstance(environment, SandboxedEnvironment):
            # Any other environment would silently bring back plain eval/exec.
            raise TypeError("SandboxedScriptEngine needs a SandboxedEnvironment")
        super().__init__(environment or SandboxedEnvironment(environment_globals))

    def validate(self, expression: str) -> None:
        """Raise SyntaxError for unparsable text (DMN relies on it) or SandboxViolation for refused text."""
        compile_source(expression, "exec")

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        try:
            return super().evaluate(task, expression, external_context)
        except WorkflowTaskException as wte:
            cause = wte.__cause__ or wte.__context__
            if isinstance(cause, SandboxViolation):
                raise WorkflowTaskException(
                    f"{REFUSED}: {cause.message}", task=task, exception=cause,
                    line_number=_line_of(cause)) from cause
            raise

    def execute(self, task: Any, script: str, external_context: dict[str, Any] | None = None) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except SandboxViolation as err:
            line_number, error_line = self.get_error_line_number_and_content(script, err)
            line_number = _line_of(err) or line_number
            if line_number and not error_line:
                error_line = _source_line(script, line_number)
            raise WorkflowTaskException(
                f"{REFUSED}: {err.message}", task=task, exception=err,
                line_number=line_number, error_line=error_line) from err
        except Exception as err:
            raise self.create_task_exec_exception(task, script, err) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        # The base class concatenates err.args[0] to a str, which itself fails
        # for e.g. KeyError(3); str(err) is always safe.
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)  # type: ignore[no-any-return]
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        if isinstance(err, CasegridError):
            # The engine's own refusals (a budget, task data that is not JSON) are worded already.
            detail = err.message
        else:
            detail = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        return WorkflowTaskException(detail, task=task, exception=err, line_number=line_number, error_line=error_line)


def _line_of(err: SandboxViolation) -> int | None:
    details = err.details if isinstance(err.details, dict) else {}
    line = details.get("line")
    return line if isinstance(line, int) else None


def _source_line(script: str, line_number: int) -> str:
    lines = script.splitlines()
    return lines[line_number - 1].strip() if 0 < line_number <= len(lines) else ""
