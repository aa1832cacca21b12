"""The sandboxed script engine a deployment's cases run with, carrying that deployment's decision tables."""
from __future__ import annotations

from engine.decisions import DecisionRegistry
from engine.definitions.bundle import Bundle
from engine.sandbox import SandboxedScriptEngine


def script_engine_for(bundle: Bundle) -> SandboxedScriptEngine:
    engine = SandboxedScriptEngine()
    # Business rule tasks look their table up here at run time (engine.runtime.bpmn_parser.registry_for).
    engine.decision_registry = DecisionRegistry.from_sources(
        [(text.encode("utf-8"), path) for path, text in bundle.of_kind("dmn").items()]
    )
    return engine
