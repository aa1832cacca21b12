"""The sandboxed script engine a deployment's cases run with, carrying that deployment's decision tables."""
from __future__ import annotations

from functools import lru_cache

from engine.decisions import DecisionRegistry
from engine.definitions.bundle import Bundle
from engine.sandbox import SandboxedScriptEngine

# Deployments share most of their decision files: a registry is immutable once built, so versions whose DMN
# files are the same text share one instead of parsing and compiling every table again.
_CACHED_REGISTRIES = 64


def script_engine_for(bundle: Bundle) -> SandboxedScriptEngine:
    engine = SandboxedScriptEngine()
    # Business rule tasks look their table up here at run time (engine.runtime.bpmn_parser.registry_for).
    engine.decision_registry = _registry_of(tuple(sorted(bundle.of_kind("dmn").items())))
    return engine


@lru_cache(maxsize=_CACHED_REGISTRIES)
def _registry_of(dmn_files: tuple[tuple[str, str], ...]) -> DecisionRegistry:
    return DecisionRegistry.from_sources([(text.encode("utf-8"), path) for path, text in dmn_files])
