"""The sandboxed script engine a deployment's cases run with (decision tables resolved per deployment)."""
from __future__ import annotations

from typing import Any

from engine.definitions.bundle import Bundle
from engine.sandbox import SandboxedScriptEngine


def script_engine_for(deployment_id: int, bundle: Bundle) -> Any:
    return SandboxedScriptEngine()
