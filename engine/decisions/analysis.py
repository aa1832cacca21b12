"""Static analysis of compiled tables: overlapping rules and gaps in finite domains.

Both work on *representative values*.  Every cell in the FEEL subset is decided by where a
value lies relative to the literals written in its column, so the literals themselves, values
between and beyond them, and one value of every other FEEL kind are enough to find an
overlap if one exists.  Each representative is run through the same compiled closures used
at run time, so analysis can never disagree with evaluation.

Only what can be proven is reported: a cell that refers to a variable (``> limit``) cannot be
decided without a context, so a pair of rules involving one is never called overlapping, and
for gaps such a cell is assumed to match.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .compiler import CompiledDecision, CompiledInput
from .feel import format_value
from .model import DecisionTable, Rule
from .values import kind


@dataclass(frozen=True)
class Overlap:
    """Two rules that both match some input; ``example`` is one such input, by column title."""

    decision_id: str
    first: Rule
    second: Rule
    example: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.first.ref} and {self.second.ref} both match {format_example(self.example)}"


def format_example(example: Mapping[str, Any]) -> str:
    return ", ".join(f"{column} = {format_value(value)}" for column, value in example.items()) or "every input"


def _compiled(decision: DecisionTable | CompiledDecision) -> CompiledDecision:
    if isinstance(decision, CompiledDecision):
        return decision
    if decision.compiled is None:
        raise ValueError(f"{decision.ref} was not compiled; build it with parse_dmn")
    return decision.compiled


def _dedupe(values: Sequence[Any]) -> list[Any]:
    seen: set[tuple[str, Any]] = set()
    unique: list[Any] = []
    for value in values:
        key = (kind(value), value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


def representatives(literals: Sequence[Any]) -> list[Any]:
    """One value from every region the literals cut the FEEL value space into.

    The literals come first so that examples shown to analysts use values they wrote.
    """
    numbers = sorted({v for v in literals if kind(v) == "number"})
    strings = sorted({v for v in literals if kind(v) == "string"})
    dates = sorted({v for v in literals if kind(v) == "date"})
    reps: list[Any] = [*numbers, *strings, *dates, True, False, None]
    if numbers:
        reps += [numbers[0] - 1, numbers[-1] + 1]
        reps += [(a + b) / 2 for a, b in itertools.pairwise(numbers)]
    else:
        reps.append(0)
    # "" is the smallest string; s + "\0" is the next string after s, so it stands for (s, next).
    reps += ["", *(s + "\x00" for s in strings)]
    one_day = dt.timedelta(days=1)
    for day in dates:
        reps += [day - one_day, day + one_day, day.isoformat()]
    return _dedupe(reps)


def column_values(decision: DecisionTable | CompiledDecision, column: int) -> list[Any]:
    """The values analysis tries for one input column, restricted to its inputValues."""
    compiled = _compiled(decision)
    compiled_input = compiled.inputs[column]
    if compiled_input.domain is not None:
        return _dedupe(compiled_input.domain)
    literals: list[Any] = []
    for rule in compiled.rules:
        literals += rule.cells[column].tests.literal_values()
    if compiled_input.allowed is not None:
        literals += compiled_input.allowed.tests.literal_values()
    reps = representatives(literals)
    if compiled_input.allowed is not None:
        allowed = compiled_input.allowed
        reps = [v for v in reps if allowed.matches(v, {})]
    return reps


def _cell_masks(compiled: CompiledDecision, column: int, values: Sequence[Any]) -> list[int | None]:
    """Per rule, a bitmask over ``values`` of those its cell accepts (None: not decidable)."""
    masks: list[int | None] = []
    for rule in compiled.rules:
        cell = rule.cells[column]
        if not cell.tests.is_static:
            masks.append(None)
            continue
        mask = 0
        for index, value in enumerate(values):
            if cell.matches(value, {}):
                mask |= 1 << index
        masks.append(mask)
    return masks


def find_overlaps(decision: DecisionTable | CompiledDecision) -> list[Overlap]:
    """Every pair of rules (in row order) that can both match one input."""
    compiled = _compiled(decision)
    columns = [column_values(compiled, c) for c in range(len(compiled.inputs))]
    masks = [_cell_masks(compiled, c, values) for c, values in enumerate(columns)]
    overlaps: list[Overlap] = []
    for i, j in itertools.combinations(range(len(compiled.rules)), 2):
        example: dict[str, Any] = {}
        for c, compiled_input in enumerate(compiled.inputs):
            mi, mj = masks[c][i], masks[c][j]
            if mi is None or mj is None or not (mi & mj):
                break
            both = mi & mj
            example[compiled_input.clause.title] = columns[c][(both & -both).bit_length() - 1]
        else:
            overlaps.append(Overlap(compiled.id, compiled.rules[i].rule, compiled.rules[j].rule, example))
    return overlaps


def _domain_for(compiled_input: CompiledInput, domains: Mapping[str, Sequence[Any]] | None) -> list[Any] | None:
    clause = compiled_input.clause
    for key in (clause.id, clause.label, clause.expression):
        if domains and key and key in domains:
            return list(domains[key])
    return compiled_input.domain


def find_gaps(
    decision: DecisionTable | CompiledDecision,
    domains: Mapping[str, Sequence[Any]] | None = None,
    *,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Input combinations no rule matches, as ``{column title: value}``, in domain order.

    ``domains`` maps an input (by label, id or expression text) to its finite list of values;
    columns not given fall back to their inputValues enumeration.  A column with neither has no
    finite domain and raises ValueError.  ``limit`` stops after that many gaps.
    """
    compiled = _compiled(decision)
    value_lists: list[list[Any]] = []
    for compiled_input in compiled.inputs:
        values = _domain_for(compiled_input, domains)
        if values is None:
            raise ValueError(
                f"{compiled.table.ref}: column '{compiled_input.clause.title}' has no finite domain; "
                "declare inputValues or pass domains"
            )
        value_lists.append(values)
    # Per column, per value: which rules accept it.  Undecidable cells are assumed to accept.
    every_rule = (1 << len(compiled.rules)) - 1
    column_masks: list[list[int]] = []
    for c, values in enumerate(value_lists):
        per_rule = _cell_masks(compiled, c, values)
        masks = []
        for index in range(len(values)):
            mask = 0
            for r, rule_mask in enumerate(per_rule):
                if rule_mask is None or rule_mask >> index & 1:
                    mask |= 1 << r
            masks.append(mask)
        column_masks.append(masks)
    titles = [i.clause.title for i in compiled.inputs]
    gaps = _search(value_lists, column_masks, 0, every_rule, [])
    return [dict(zip(titles, combo, strict=True)) for combo in itertools.islice(gaps, limit)]


def _search(
    value_lists: list[list[Any]], column_masks: list[list[int]], column: int, alive: int, chosen: list[Any]
) -> Iterator[list[Any]]:
    """Depth-first over columns, narrowing the set of rules still able to match."""
    if column == len(value_lists):
        if alive == 0:
            yield chosen
        return
    for value, mask in zip(value_lists[column], column_masks[column], strict=True):
        narrowed = alive & mask
        if narrowed == 0:
            # No rule survives: every completion of this prefix is a gap.
            for rest in itertools.product(*value_lists[column + 1 :]):
                yield [*chosen, value, *rest]
        else:
            yield from _search(value_lists, column_masks, column + 1, narrowed, [*chosen, value])
