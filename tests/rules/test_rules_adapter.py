"""The durable-rules adapter keeps the product safe from each measured edge of durable-rules 2.0.28."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.errors import DefinitionInvalid
from engine.events.loading import rulesets_from_files
from engine.rules.adapter import DURABLE_SESSION_LIMIT, DurableRules, shared_rules
from engine.rules.operations import OPERATION_NAMES
from engine.rules.ruleset import parse_ruleset, validate_ruleset

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def shipped(name: str):
    text = (ROOT / "rules" / "events" / f"{name}.json").read_text(encoding="utf-8")
    return parse_ruleset(text, f"rules/events/{name}.json", set(OPERATION_NAMES))


@pytest.fixture
def session(db):
    """One transaction for the test's events (the adapter's state lives in the database)."""
    with db.transaction() as s:
        yield s


def report(session, rules, ruleset, at, subcategory="0102", cell="S03C01G01", **extra):
    return rules.evaluate(session, ruleset, "case.reported", {"subcategory": subcategory, "grid_cell": cell, **extra},
                          at)


def test_one_host_per_process_and_it_starts_no_background_threads(session):
    before = threading.active_count()
    rules = DurableRules()
    hot = shipped("hot_spot")
    for minute in range(3):
        report(session, rules, hot, T0 + timedelta(minutes=minute))
    assert threading.active_count() == before
    assert shared_rules() is shared_rules()


def test_rule_dicts_are_deep_copied_before_durable_rules_mutates_them_and_registration_is_idempotent(session):
    hot = shipped("hot_spot")
    when = copy.deepcopy(hot.rules[0].when)
    rules = DurableRules()
    rules.register(hot)
    rules.register(hot)  # a second registration of the same content is a no-op, not a durable-rules error
    assert hot.rules[0].when == when and "run" not in json.dumps(hot.rules[0].when)
    changed = parse_ruleset(json.dumps({**json.loads((ROOT / "rules/events/hot_spot.json").read_text()),
                                        "session_ttl_seconds": 3600}), "rules/events/hot_spot.json")
    rules.register(changed)  # a redeployed file registers under its new digest
    assert len(report(session, rules, changed, T0)) == 0


def test_open_sessions_stay_under_the_cap_however_many_keys_arrive(session):
    rules = DurableRules(max_sessions=64)
    hot = shipped("hot_spot")
    seen = 0
    for i in range(5000):
        report(session, rules, hot, T0 + timedelta(seconds=i), subcategory=f"{i % 97:04d}", cell=f"C{i}")
        seen = max(seen, rules.open_sessions(session, hot))
    assert seen == 64 and rules.evicted == 5000 - 64
    # durable-rules itself holds one session per rule, never one per key.
    assert set(rules.durable_sessions().values()) == {1}
    with pytest.raises(ValueError):
        DurableRules(max_sessions=DURABLE_SESSION_LIMIT)


def test_a_window_that_fires_deletes_its_session_state(session):
    rules = DurableRules()
    hot = shipped("hot_spot")
    assert report(session, rules, hot, T0) == [] and report(session, rules, hot, T0 + timedelta(minutes=30)) == []
    assert rules.open_sessions(session, hot) == 1
    fired = report(session, rules, hot, T0 + timedelta(minutes=90))
    assert len(fired) == 1 and len(fired[0].window) == 3
    assert rules.open_sessions(session, hot) == 0


def test_windows_and_expiry_run_on_event_time_not_durable_timers(session):
    rules = DurableRules()
    hot = shipped("hot_spot")
    report(session, rules, hot, T0)
    report(session, rules, hot, T0 + timedelta(hours=1))
    # The first report left the 2-hour window: no hot spot, and nothing waited for a timer.
    assert report(session, rules, hot, T0 + timedelta(hours=2, seconds=1)) == []
    # Another key's event three hours later expires the idle session.
    report(session, rules, hot, T0 + timedelta(hours=5, seconds=2), cell="S01C01G01")
    assert rules.open_sessions(session, hot) == 1


def test_identical_events_are_distinct_because_every_post_has_its_own_id(session):
    rules = DurableRules()
    hot = shipped("hot_spot")
    fired = [report(session, rules, hot, T0) for _ in range(3)]
    assert [len(f) for f in fired] == [0, 0, 1]


def test_one_event_can_match_several_rules_of_a_set(session):
    text = json.dumps({"name": "two", "accepts": ["e"], "session_key": ["k"], "session_ttl_seconds": 60,
                       "rules": {"a": {"when": {"all": [{"m": {"type": "e"}}]}, "actions": [{"operation": "notify"}]},
                                 "b": {"when": {"all": [{"m": {"$gt": {"v": 1}}}]},
                                       "actions": [{"operation": "notify"}]}}})
    rules = DurableRules()
    fired = rules.evaluate(session, parse_ruleset(text, "rules/events/two.json"), "e", {"k": "x", "v": 5}, T0)
    assert sorted(m.rule.name for m in fired) == ["a", "b"]


def test_a_streak_needs_consecutive_readings_and_a_cooldown_stops_repeats(session):
    rules = DurableRules()
    water = shipped("water_level")

    def reading(minutes, value):
        return rules.evaluate(session, water, "sensor.reading", {"sensor_id": "WL-1", "kind": "water_level", "value": value},
                              T0 + timedelta(minutes=minutes))
    assert [len(reading(m, v)) for m, v in [(0, 0.6), (5, 0.7), (10, 0.4), (15, 0.6), (20, 0.6)]] == [0] * 5
    assert len(reading(25, 0.9)) == 1
    assert [len(reading(30 + 5 * i, 0.9)) for i in range(6)] == [0] * 6  # cooldown: 6 hours
    assert len(reading(7 * 60, 0.9)) == 0 and len(reading(7 * 60 + 5, 0.9)) == 0
    assert len(reading(7 * 60 + 10, 0.9)) == 1


def test_multi_event_conditions_and_unknown_operations_are_refused_when_the_rule_set_is_loaded():
    text = json.dumps({"name": "bad", "accepts": ["e"], "session_key": ["k"], "session_ttl_seconds": 60,
                       "rules": {"pair": {"when": {"all": [{"first": {"t": "a"}}, {"second": {"t": "b"}}]},
                                          "actions": [{"operation": "run_python", "code": "import os"}]}}})
    problems = [str(p) for p in validate_ruleset(text, "rules/events/bad.json", set(OPERATION_NAMES))]
    assert any("conditions on one event" in p for p in problems)
    assert any("unknown operation 'run_python'" in p for p in problems)
    with pytest.raises(DefinitionInvalid):
        rulesets_from_files({"rules/events/bad.json": text})


def test_deleting_a_durable_session_that_saw_only_unmatched_events_crashes_the_process_so_the_adapter_never_does():
    # The measured edge that decided the design: run it in a child process.
    crash = (
        "from durable.engine import Host, MessageNotHandledException\n"
        "class Q(Host):\n    def _run(self): pass\n"
        "h = Q()\n"
        "h.register_rulesets({'a': {'r': {'all': [{'m': {'type': 'x'}}], 'run': lambda c: None}}})\n"
        "try:\n    h.post('a', {'id': 1, 'sid': 's', 'type': 'y'})\n"
        "except MessageNotHandledException:\n    pass\n"
        "h.delete_state('a', 's')\n"
    )
    child = subprocess.run([sys.executable, "-c", crash], capture_output=True, timeout=60)
    assert child.returncode < 0  # killed by a signal (SIGSEGV)
