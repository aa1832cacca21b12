"""Events per second through casegrid's rules layer next to durable-rules' bare `post`, in one run.

The layer is ``engine.rules.adapter.DurableRules.evaluate`` over the three shipped rule sets
(session keys, one durable post per rule, windows/streaks/memory), without running the actions'
engine operations (those are database work, measured by the runtime benchmark). The baseline posts
the same number of events to a one-rule durable-rules ruleset with no adapter at all.
"""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from durable.engine import Host, MessageNotHandledException

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.rules.adapter import DurableRules
from engine.rules.loading import rulesets_from_files

EVENTS = 20_000


class _Bare(Host):
    def _run(self) -> None:
        return None


def _events(n: int) -> list[tuple[str, dict[str, object], datetime]]:
    start = datetime(2026, 11, 24, tzinfo=UTC)
    out = []
    for i in range(n):
        at = start + timedelta(seconds=30 * i)
        if i % 5 == 4:
            out.append(("sensor.reading", {"sensor_id": f"WL-{i % 4}", "kind": "water_level",
                                           "value": 0.3 + (i % 7) / 10}, at))
        else:
            out.append(("case.reported", {"subcategory": f"01{i % 20:02d}", "grid_cell": f"S0{i % 5 + 1}C01G01",
                                          "place": f"place {i % 9}"}, at))
    return out


def bare_rate(n: int) -> float:
    host = _Bare()
    host.register_rulesets({"bare": {"r": {"all": [{"m": {"type": "case.reported"}}], "run": lambda c: None}}})
    begin = time.perf_counter()
    for i in range(n):
        try:
            host.post("bare", {"id": i, "sid": "s", "type": "case.reported" if i % 5 else "sensor.reading"})
        except MessageNotHandledException:
            pass
    return n / (time.perf_counter() - begin)


def layer_rate(n: int) -> tuple[float, int]:
    rulesets = rulesets_from_files(load_root(PROJECT_ROOT).files)
    rules = DurableRules()
    events = _events(n)
    fired = 0
    begin = time.perf_counter()
    for event_type, payload, at in events:
        for ruleset in rulesets:
            fired += len(rules.evaluate(ruleset, event_type, payload, at))
    return n / (time.perf_counter() - begin), fired


def main() -> None:
    bare = bare_rate(EVENTS)
    layer, fired = layer_rate(EVENTS)
    print(f"durable-rules bare post     : {bare:10,.0f} events/s")
    print(f"casegrid rules layer        : {layer:10,.0f} events/s  ({fired} rule firings, 3 rule sets)")
    print(f"layer cost (bare / layer)   : {bare / layer:10.1f}x")


if __name__ == "__main__":
    main()
