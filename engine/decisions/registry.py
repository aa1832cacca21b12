"""Decision id -> compiled table, built once per deployed version and shared by its cases."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.errors import DefinitionInvalid, NotFound, Problem

from .loader import load_dmn
from .model import DecisionTable


class DecisionRegistry:
    """Immutable in spirit: build it from a version's DMN files and never mutate it after.

    Cases keep the version they started on, so the runtime keeps one registry per deployed
    version rather than one global table store.
    """

    def __init__(self, tables: Iterable[DecisionTable] = ()) -> None:
        self._tables: dict[str, DecisionTable] = {}
        for table in tables:
            self.add(table)

    @classmethod
    def from_sources(cls, sources: Iterable[tuple[bytes, str]]) -> DecisionRegistry:
        """Parse and compile every ``(source, filename)``; raise DefinitionInvalid with all problems."""
        registry = cls()
        problems: list[Problem] = []
        for source, filename in sources:
            tables, file_problems = load_dmn(source, filename)
            problems += file_problems
            for table in tables:
                if table.id in registry:
                    other = registry.get(table.id).file
                    problems.append(Problem(filename, table.ref, f"decision id is already defined in {other}",
                                            key="decision.duplicate_id",
                                            params={"decision": table.id, "decision_name": table.name or "",
                                                    "other_file": other}))
                else:
                    registry.add(table)
        if problems:
            raise DefinitionInvalid(problems)
        return registry

    def add(self, table: DecisionTable) -> None:
        if table.compiled is None:
            raise ValueError(f"{table.ref} is not compiled; build it with parse_dmn")
        if table.id in self._tables:
            raise ValueError(f"{table.ref} is already registered (from {self._tables[table.id].file})")
        self._tables[table.id] = table

    def get(self, decision_id: str) -> DecisionTable:
        try:
            return self._tables[decision_id]
        except KeyError:
            known = ", ".join(sorted(self._tables)) or "none"
            raise NotFound(f"no decision '{decision_id}' (known: {known})") from None

    def evaluate(self, decision_id: str, context: Mapping[str, Any]) -> Any:
        return self.get(decision_id).evaluate(context)

    def ids(self) -> list[str]:
        return sorted(self._tables)

    def __contains__(self, decision_id: object) -> bool:
        return decision_id in self._tables

    def __iter__(self) -> Iterator[DecisionTable]:
        return iter(self._tables.values())

    def __len__(self) -> int:
        return len(self._tables)
