"""DMN 1.3 decision tables for casegrid: parsed and compiled once, hit policies as specified.

Public API:

    parse_dmn(source, filename) -> list[DecisionTable]      raises DefinitionInvalid
    validate_dmn(source, filename) -> list[Problem]
    DecisionTable.evaluate(context) -> dict | list | value | None
    DecisionRegistry.from_sources([(source, filename), ...])
    find_overlaps(decision) -> list[Overlap]
    find_gaps(decision, domains=None, *, limit=None) -> list[dict]

SpiffWorkflow integration lives in engine.runtime.bpmn_parser (imported on demand so that merely
validating a DMN file does not load SpiffWorkflow).
"""
from __future__ import annotations

from engine.errors import DefinitionInvalid, Problem

from .analysis import Overlap, find_gaps, find_overlaps
from .compiler import CompiledDecision
from .errors import DecisionEvaluationError
from .loader import load_dmn
from .model import Aggregation, DecisionTable, HitPolicy, InputClause, OutputClause, Rule
from .registry import DecisionRegistry

__all__ = [
    "Aggregation",
    "CompiledDecision",
    "DecisionEvaluationError",
    "DecisionRegistry",
    "DecisionTable",
    "HitPolicy",
    "InputClause",
    "OutputClause",
    "Overlap",
    "Rule",
    "find_gaps",
    "find_overlaps",
    "parse_dmn",
    "validate_dmn",
]


def parse_dmn(source: bytes, filename: str) -> list[DecisionTable]:
    """Parse, compile and check every decision table in one DMN file."""
    tables, problems = load_dmn(source, filename)
    if problems:
        raise DefinitionInvalid(problems)
    return tables


def validate_dmn(source: bytes, filename: str) -> list[Problem]:
    """Every problem that would stop ``source`` from deploying; empty when it is fine."""
    return load_dmn(source, filename)[1]
