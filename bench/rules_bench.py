"""Events per second through casegrid's rules layer next to durable-rules' bare `post`, in one run.

The layer is ``engine.rules.adapter.DurableRules.evaluate`` over the three shipped rule sets
(group keys, one durable post per rule, windows/streaks/memory/cooldowns read from and written to the
``event_rule_state`` table, one transaction per event as an ingest has), without running the actions'
engine operations (those are measured by the runtime benchmark). It runs on a fresh migrated SQLite
file, and on PostgreSQL too when CASEGRID_BENCH_PG_URL names an empty, migrated database. The
baseline posts the same number of events to a one-rule durable-rules ruleset with no adapter at all.
"""
from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from durable.engine import Host, MessageNotHandledException

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.events.loading import rulesets_from_files
from engine.rules.adapter import DurableRules
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models.rules import EventRuleState

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


def layer_rate(url: str, n: int) -> tuple[float, int, int]:
    """Events/s, rule firings and the most state rows seen (sampled every 500 events)."""
    rulesets = rulesets_from_files(load_root(PROJECT_ROOT).files)
    rules = DurableRules()
    database = Database(url)
    events = _events(n)
    fired, most_rows = 0, 0
    try:
        begin = time.perf_counter()
        for i, (event_type, payload, at) in enumerate(events):
            with database.transaction() as session:
                for ruleset in rulesets:
                    fired += len(rules.evaluate(session, ruleset, event_type, payload, at))
                if i % 500 == 0:
                    most_rows = max(most_rows, session.query(EventRuleState).count())
        elapsed = time.perf_counter() - begin
    finally:
        database.dispose()
    return n / elapsed, fired, most_rows


def main() -> None:
    bare = bare_rate(EVENTS)
    print(f"durable-rules bare post        : {bare:10,.0f} events/s")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        targets = [("SQLite", url)]
        if os.environ.get("CASEGRID_BENCH_PG_URL"):
            targets.append(("PostgreSQL", os.environ["CASEGRID_BENCH_PG_URL"]))
        for label, target in targets:
            layer, fired, rows = layer_rate(target, EVENTS)
            print(f"rules layer, state in {label:10}: {layer:10,.0f} events/s  ({fired} rule firings, "
                  f"3 rule sets, at most {rows} state rows)")
            print(f"layer cost (bare / layer)      : {bare / layer:10.1f}x")


if __name__ == "__main__":
    main()
