"""parse -> compile -> check, the pipeline behind parse_dmn and validate_dmn."""
from __future__ import annotations

from engine.errors import Problem

from .compiler import compile_table
from .model import DecisionTable
from .parser import read_dmn
from .validation import check_table


def load_dmn(source: bytes, filename: str) -> tuple[list[DecisionTable], list[Problem]]:
    """Every table that compiled, and every problem found in the file."""
    parsed = read_dmn(source, filename)
    problems = list(parsed.problems)
    tables: list[DecisionTable] = []
    for table in parsed.tables:
        compiled, compile_problems = compile_table(table)
        problems += compile_problems
        if compiled is None:
            continue
        table.compiled = compiled
        problems += check_table(table)
        tables.append(table)
    return tables, problems
