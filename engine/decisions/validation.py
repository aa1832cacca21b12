"""Deploy-time checks that go beyond syntax: what the hit policy promises must hold."""
from __future__ import annotations

from engine.errors import Problem

from .analysis import find_gaps, find_overlaps, format_example
from .feel import NOT_A_LITERAL
from .model import DecisionTable, HitPolicy
from .values import feel_equal

# A badly written table can overlap everywhere; beyond this, more lines do not help anyone.
MAX_OVERLAPS_REPORTED = 20


def check_overlaps(table: DecisionTable) -> list[Problem]:
    """UNIQUE: no two rules may match one input.  ANY: rules that can overlap must agree."""
    compiled = table.compiled
    assert compiled is not None
    if table.hit_policy not in (HitPolicy.UNIQUE, HitPolicy.ANY):
        return []
    by_id = {r.rule.id: r for r in compiled.rules}
    problems: list[Problem] = []
    for overlap in find_overlaps(compiled):
        element = f"{table.ref} {overlap.first.ref} and {overlap.second.ref}"
        example = format_example(overlap.example)
        if table.hit_policy is HitPolicy.UNIQUE:
            problems.append(
                Problem(table.file, element, f"rules overlap: both match {example}; a UNIQUE table allows one",
                        key="decision.rules_overlap", params={"example": example})
            )
        else:
            first, second = by_id[overlap.first.id].outputs, by_id[overlap.second.id].outputs
            differ = [
                name
                for name, a, b in zip(table.output_names, first, second, strict=True)
                if a.literal is not NOT_A_LITERAL
                and b.literal is not NOT_A_LITERAL
                and not feel_equal(a.literal, b.literal)
            ]
            if differ:
                problems.append(
                    Problem(
                        table.file,
                        element,
                        f"rules overlap on {example} but give different {', '.join(differ)}; "
                        "hit policy ANY needs overlapping rules to agree",
                        key="decision.overlap_disagrees", params={"example": example, "outputs": differ},
                    )
                )
    if len(problems) > MAX_OVERLAPS_REPORTED:
        extra = len(problems) - MAX_OVERLAPS_REPORTED
        problems = problems[:MAX_OVERLAPS_REPORTED]
        problems.append(Problem(table.file, table.ref, f"... and {extra} more overlapping pairs",
                                key="decision.more_overlaps", params={"count": extra}))
    return problems


def check_gaps(table: DecisionTable) -> list[Problem]:
    """Single-result tables over finite inputs must answer every combination.

    Only when every column enumerates its inputValues: otherwise the domain is open and "no
    rule for some other string" is always true and never useful.  Collecting tables may
    legitimately return nothing, so they are not checked.
    """
    compiled = table.compiled
    assert compiled is not None
    if not table.hit_policy.single_result or any(i.domain is None for i in compiled.inputs):
        return []
    gaps = find_gaps(compiled, limit=1)
    if not gaps:
        return []
    return [
        Problem(
            table.file,
            table.ref,
            f"incomplete: no rule matches {format_example(gaps[0])}; add a rule for it "
            "(its output may be null if no answer is intended)",
            key="decision.incomplete", params={"example": format_example(gaps[0])},
        )
    ]


def check_table(table: DecisionTable) -> list[Problem]:
    return check_overlaps(table) + check_gaps(table)
