"""Sandboxed evaluations per second of a cached expression over case data, against plain `eval`.

The expression is compiled once (as every condition of a deployed version is); what is measured is
``engine.sandbox.evaluate(expression, case_data)``, the call a gateway condition or a DMN cell makes,
with the budget, the guards and the helpers in force. The baseline is a plain ``eval`` of the same
restricted bytecode against one namespace built before the loop: what an evaluation would cost if
the sandbox added nothing per call. Target (issue 16, point 2): at least 1,000,000 evaluations/s.

Rates are per second of this process's CPU time (`time.process_time`), best of several rounds: on a
shared machine wall time also counts the time spent waiting for a core, which says nothing about
the code.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from engine.sandbox import evaluate
from engine.sandbox.compiler import compile_source
from engine.sandbox.guards import GUARDS
from engine.sandbox.safe_builtins import builtins_dict

TARGET = 1_000_000
EXPRESSION = 'priority == "high" and amount > 500 or len(items) > 3'
CASE_DATA: dict[str, object] = {
    "priority": "normal",
    "amount": 1200,
    "items": ["a", "b", "c", "d"],
    "category": "road",
    "street": "民主街道",
    "reporter": "王芳",
    "phone": "13800000000",
    "score": 3,
    "note": "done",
    "urgent": False,
    "grid_cell": "S01C01G01",
    "reported_at": "2026-11-24T09:00:00",
}
# For information: an expression that reaches attributes and loops, so it runs with a budget of its own.
BUDGETED_EXPRESSION = 'category.upper() == "ROAD" and sum([1 for i in items if i != "b"]) == 3'
ROUNDS = 5
CALLS = 200_000


def _rate(call: Callable[[], object], calls: int) -> float:
    """Calls per CPU second, best of ROUNDS rounds (other load on the machine only ever slows a round)."""
    best = 0.0
    for _ in range(ROUNDS):
        begin = time.process_time()
        for _ in range(calls):
            call()
        best = max(best, calls / (time.process_time() - begin))
    return best


def sandbox_rate(calls: int = CALLS) -> float:
    expected = evaluate(EXPRESSION, CASE_DATA)
    assert expected is True, expected
    return _rate(lambda: evaluate(EXPRESSION, CASE_DATA), calls)


def budgeted_rate(calls: int = CALLS) -> float:
    assert evaluate(BUDGETED_EXPRESSION, CASE_DATA) is True
    return _rate(lambda: evaluate(BUDGETED_EXPRESSION, CASE_DATA), calls)


def plain_eval_rate(calls: int = CALLS) -> float:
    code = compile_source(EXPRESSION, "eval")
    namespace = {**GUARDS, **CASE_DATA, "__builtins__": builtins_dict()}
    return _rate(lambda: eval(code, namespace), calls)  # noqa: S307 - the sandbox's own bytecode


def main(calls: int = CALLS) -> None:
    plain = plain_eval_rate(calls)
    ours = sandbox_rate(calls)
    print(f"cached expression over {len(CASE_DATA)} fields of case data: {EXPRESSION}")
    print(f"  plain eval, namespace built once   {plain:12,.0f} evals/s")
    print(f"  casegrid sandbox.evaluate          {ours:12,.0f} evals/s  ({ours / plain:.2f} of plain eval,"
          f" {1e6 / ours:.2f} µs per call)")
    budgeted = budgeted_rate(calls // 4)
    print(f"  with a budget (attributes, a loop)  {budgeted:12,.0f} evals/s  ({BUDGETED_EXPRESSION})")
    verdict = "PASS" if ours >= TARGET else "FAIL"
    print(f"  {verdict}: target at least {TARGET:,} evals/s")


if __name__ == "__main__":
    main()
