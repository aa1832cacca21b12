"""Errors raised while evaluating a decision (deploy-time problems are engine.errors.Problem)."""
from __future__ import annotations

from typing import Any

from engine.errors import ScriptFailed


class DecisionEvaluationError(ScriptFailed):
    """A decision could not produce a result: several rules matched a UNIQUE table, an input
    outside its allowed values, an expression that raised.  The case must not advance."""

    code = "decision_failed"

    def __init__(self, message: str, decision_id: str | None = None, **details: Any) -> None:
        super().__init__(message, {"decision": decision_id, **details})
        self.decision_id = decision_id
