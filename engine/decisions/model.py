"""What a DMN decision table says, as read from XML, before and after compilation."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compiler import CompiledDecision


class HitPolicy(StrEnum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"

    @property
    def single_result(self) -> bool:
        return self in (HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.PRIORITY, HitPolicy.ANY)


class Aggregation(StrEnum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


@dataclass(frozen=True)
class InputClause:
    id: str
    label: str | None
    expression: str
    type_ref: str | None = None
    allowed_values: str | None = None  # the inputValues text, itself a list of unary tests
    line: int | None = None

    @property
    def title(self) -> str:
        """How analysts recognise the column: its label, else its expression."""
        return self.label or self.expression or self.id


@dataclass(frozen=True)
class OutputClause:
    id: str
    name: str
    label: str | None = None
    type_ref: str | None = None
    output_values: str | None = None  # the outputValues text; its order is the PRIORITY order
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    row: int  # 1-based, as the analyst sees the table
    input_entries: tuple[str, ...]
    output_entries: tuple[str, ...]
    description: str | None = None
    annotations: tuple[str, ...] = ()
    line: int | None = None

    @property
    def ref(self) -> str:
        return f"rule '{self.id}' (row {self.row})"


@dataclass
class DecisionTable:
    """One deployed decision table.  ``compiled`` is built once by parse_dmn; evaluate reuses it."""

    id: str
    name: str | None
    file: str
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[Rule, ...]
    table_id: str | None = None
    line: int | None = None
    # The rule annotation columns (DMN <annotation name=...>), in order; "" for an unnamed one.
    annotation_names: tuple[str, ...] = ()
    compiled: CompiledDecision | None = field(default=None, repr=False, compare=False)

    @property
    def ref(self) -> str:
        return f"decision '{self.id}'"

    @property
    def output_names(self) -> list[str]:
        return [o.name for o in self.outputs]

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """Evaluate against ``context`` (task data).

        Returns, by hit policy:
        - UNIQUE, FIRST, PRIORITY, ANY: ``{output name: value}`` of the winning rule, or None
          when no rule matches;
        - RULE ORDER, OUTPUT ORDER, COLLECT: a list of such dicts (empty when nothing matches);
        - COLLECT with SUM/MIN/MAX: the aggregated value (None when nothing matches),
          COUNT: the number of distinct output values (0 when nothing matches).
        """
        if self.compiled is None:
            raise RuntimeError(f"{self.ref} was not compiled; build it with parse_dmn")
        return self.compiled.evaluate(context)

    def evaluate_with_rule(self, context: Mapping[str, Any]) -> tuple[Any, Rule | None]:
        """``evaluate`` plus the rule whose outputs a single-result table returned (None otherwise)."""
        if self.compiled is None:
            raise RuntimeError(f"{self.ref} was not compiled; build it with parse_dmn")
        return self.compiled.evaluate_with_rule(context)

    def rule_annotations(self, rule: Rule) -> dict[str, str]:
        """The rule's entries in the named annotation columns, by column name."""
        return {name: text for name, text in zip(self.annotation_names, rule.annotations, strict=False) if name}
