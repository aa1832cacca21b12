"""What a table returns once the matching rules are known, one function per hit policy.

Result shapes (documented in docs/decisions.md):
- single-result policies (UNIQUE, FIRST, PRIORITY, ANY): ``{output name: value}`` or None;
- multi-result policies (RULE ORDER, OUTPUT ORDER, COLLECT): a list of those dicts;
- COLLECT with an aggregation: a single value (COUNT: 0 when nothing matched, others None).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .compiler import CompiledDecision, CompiledRule
from .errors import DecisionEvaluationError
from .feel import format_value
from .model import Aggregation, HitPolicy, Rule
from .values import feel_compare, feel_equal, kind

Context = Mapping[str, Any]


def _refs(rules: list[CompiledRule]) -> str:
    return ", ".join(r.rule.ref for r in rules)


def _unique(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    if len(matched) > 1:
        raise DecisionEvaluationError(
            f"{decision.table.ref} has hit policy UNIQUE but {len(matched)} rules match: {_refs(matched)}",
            decision.id,
            rules=[r.rule.id for r in matched],
        )
    return decision.rule_result(matched[0], context) if matched else None


def _first(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    return decision.rule_result(matched[0], context) if matched else None


def _any(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    if not matched:
        return None
    results = [decision.rule_result(r, context) for r in matched]
    first = results[0]
    for rule, result in zip(matched[1:], results[1:], strict=True):
        if any(not feel_equal(first[name], result[name]) for name in first):
            raise DecisionEvaluationError(
                f"{decision.table.ref} has hit policy ANY but matching rules disagree: "
                f"{matched[0].rule.ref} gives {first}, {rule.rule.ref} gives {result}",
                decision.id,
                rules=[matched[0].rule.id, rule.rule.id],
            )
    return first


def _priority_key(decision: CompiledDecision, rule: CompiledRule, result: dict[str, Any]) -> tuple[int, ...]:
    """Rank by each ranked output in column order: DMN compares the first, then the next..."""
    key: list[int] = []
    for output in decision.outputs:
        if output.priority is None:
            continue
        value = result[output.name]
        for index, candidate in enumerate(output.priority):
            if feel_equal(value, candidate):
                key.append(index)
                break
        else:
            raise DecisionEvaluationError(
                f"{decision.table.ref} {rule.rule.ref}: output '{output.name}' is {format_value(value)}, "
                "which is not in its outputValues, so it has no priority",
                decision.id,
                rule=rule.rule.id,
            )
    return tuple(key)


def _by_priority(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> list[dict[str, Any]]:
    ranked = [(r, decision.rule_result(r, context)) for r in matched]
    # sorted() is stable, so equal priorities keep rule order.
    ranked.sort(key=lambda pair: _priority_key(decision, *pair))
    return [result for _rule, result in ranked]


def _priority(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    ranked = _by_priority(decision, matched, context)
    return ranked[0] if ranked else None


def _rule_order(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    return [decision.rule_result(r, context) for r in matched]


def _aggregate(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    aggregation = decision.table.aggregation
    name = decision.outputs[0].name
    # FEEL aggregation functions skip nothing, but a null output is "this rule adds nothing".
    values = [v for v in (decision.rule_result(r, context)[name] for r in matched) if v is not None]
    if aggregation is Aggregation.COUNT:
        distinct: list[Any] = []  # DMN: C# counts distinct outputs; values may be unhashable
        for value in values:
            if not any(feel_equal(value, d) for d in distinct):
                distinct.append(value)
        return len(distinct)
    if not values:
        return None
    if aggregation is Aggregation.SUM:
        if any(kind(v) != "number" for v in values):
            raise DecisionEvaluationError(
                f"{decision.table.ref}: SUM over non-numbers {[format_value(v) for v in values]}", decision.id
            )
        total: int | float | Decimal = 0
        for value in values:
            total += value
        return total
    first_kind = kind(values[0])
    if any(feel_compare(v, values[0]) is None for v in values):
        raise DecisionEvaluationError(
            f"{decision.table.ref}: {aggregation} over values that cannot be compared "
            f"({first_kind} and others): {[format_value(v) for v in values]}",
            decision.id,
        )
    return min(values) if aggregation is Aggregation.MIN else max(values)


def _collect(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    if decision.table.aggregation is not None:
        return _aggregate(decision, matched, context)
    return _rule_order(decision, matched, context)


_POLICIES: dict[HitPolicy, Callable[[CompiledDecision, list[CompiledRule], Context], Any]] = {
    HitPolicy.UNIQUE: _unique,
    HitPolicy.FIRST: _first,
    HitPolicy.ANY: _any,
    HitPolicy.PRIORITY: _priority,
    HitPolicy.RULE_ORDER: _rule_order,
    HitPolicy.OUTPUT_ORDER: _by_priority,
    HitPolicy.COLLECT: _collect,
}


def apply_hit_policy(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Any:
    return _POLICIES[decision.table.hit_policy](decision, matched, context)


def winning_rule(decision: CompiledDecision, matched: list[CompiledRule], context: Context) -> Rule | None:
    """The rule whose outputs a single-result policy returned; None when none matched or the policy
    returns a list or an aggregate (no one rule answered). Call it after apply_hit_policy, which
    rejects the matches UNIQUE and ANY do not allow."""
    if not matched or not decision.table.hit_policy.single_result:
        return None
    if decision.table.hit_policy is HitPolicy.PRIORITY:
        # min() keeps the first of equal ranks, as the stable sort in _by_priority does.
        return min(matched, key=lambda r: _priority_key(decision, r, decision.rule_result(r, context))).rule
    return matched[0].rule
