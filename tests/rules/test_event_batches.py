"""A batch of events through the rules adapter is one transaction and gives exactly what the same events
give one at a time: the same firings and the same rule state, on SQLite and PostgreSQL, whatever the
batch size, with groups expiring inside a batch."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.events.loading import rulesets_from_files
from engine.rules.adapter import DurableRules, _MatchMemo
from engine.rules.ruleset import parse_ruleset
from engine.store.models.rules import EventRuleState

T0 = datetime(2026, 11, 24, tzinfo=UTC)


def stream(n: int) -> list[tuple[str, dict, datetime]]:
    """Reports of 20 subcategories in 5 cells and 4 gauges' readings, 40 minutes apart every 97 events, so
    hot-spot windows (2 hours) both fill and expire in the middle of batches."""
    out = []
    for i in range(n):
        at = T0 + timedelta(minutes=3 * i + 40 * (i // 97))
        if i % 5 == 4:
            out.append(("sensor.reading", {"sensor_id": f"WL-{i % 4}", "kind": "water_level",
                                           "value": 0.3 + (i % 7) / 10}, at))
        else:
            out.append(("case.reported", {"subcategory": f"01{i % 20:02d}", "grid_cell": f"S0{i % 5 + 1}C01G01",
                                          "place": f"place {i % 9}"}, at))
    return out


def run(database, events, batch: int | None) -> tuple[list[tuple[str, str, str]], list[tuple]]:
    rulesets, rules, fired = rulesets_from_files(load_root(PROJECT_ROOT).files), DurableRules(), []
    chunks = [[e] for e in events] if batch is None else [events[i:i + batch] for i in range(0, len(events), batch)]
    for chunk in chunks:
        with database.transaction() as session, rules.batch(session):
            if batch is not None:
                rules.prepare(session, rulesets, chunk)
            for event_type, payload, at in chunk:
                for ruleset in rulesets:
                    fired.extend((m.ruleset, m.rule.name, m.sid) for m in
                                 rules.evaluate(session, ruleset, event_type, payload, at))
    with database.transaction(readonly=True) as session:
        state = sorted((r.ruleset, r.rule, r.group_key, json.dumps(r.state, sort_keys=True), r.expires_at)
                       for r in session.scalars(select(EventRuleState)))
    return fired, state


@pytest.mark.parametrize("size", [1, 37, 250])
def test_a_batch_fires_the_same_rules_and_leaves_the_same_state_as_its_events_one_by_one(sqlite_template, tmp_path,
                                                                                          size):
    import shutil

    from engine.store.database import Database

    events = stream(600)
    databases = []
    for name in ("single", "batched"):
        shutil.copy(sqlite_template, tmp_path / f"{name}.sqlite3")
        databases.append(Database(f"sqlite:///{tmp_path / name}.sqlite3"))
    one_by_one, batched = run(databases[0], events, None), run(databases[1], events, size)
    for database in databases:
        database.dispose()
    assert len(one_by_one[0]) > 50  # the stream fires rules
    assert batched == one_by_one


def test_on_postgresql_a_batch_gives_what_its_events_give_one_by_one(pg_db, db):
    events = stream(400)
    assert run(pg_db, events, 150) == run(db, events, None)


def test_durable_rules_answers_are_remembered_only_for_plain_conditions_and_by_value_type():
    memo = _MatchMemo()
    assert memo.fields("a", {"all": [{"m": {"$and": [{"type": "x"}, {"$gt": {"value": 0.5}}]}}]}) == ("type", "value")
    assert memo.fields("b", {"any": [{"m": {"type": "x"}}, {"m": {"$nex": {"case_id": 1}}}]}) == ("case_id", "type")
    # A reference to another field (or anything outside the plain grammar) is posted every time.
    assert memo.fields("c", {"all": [{"m": {"$gt": {"value": {"$m": "limit"}}}}]}) is None
    assert memo.key("a", {}, {"type": "x", "value": 1}) != memo.key("a", {}, {"type": "x", "value": True})
    assert memo.key("a", {}, {"type": "x"}) != memo.key("a", {}, {"type": "x", "value": None})


def test_a_condition_that_reads_another_field_still_matches_each_event_by_durable_rules(db):
    ruleset = parse_ruleset(json.dumps({
        "name": "over_limit", "accepts": ["reading"], "session_key": ["sensor"], "session_ttl_seconds": 60,
        "rules": {"over": {"when": {"all": [{"m": {"$and": [{"type": "reading"}, {"$gt": {"value": {"$m": "limit"}}}]}}]},
                           "actions": [{"operation": "notify", "message": "over"}]}}}), "rules/events/over_limit.json")
    rules = DurableRules()
    with db.transaction() as session, rules.batch(session):
        answers = [bool(rules.evaluate(session, ruleset, "reading", {"sensor": "a", "value": v, "limit": limit},
                                       T0 + timedelta(seconds=i)))
                   for i, (v, limit) in enumerate([(5, 3), (5, 7), (2, 1), (2, 2)])]
    assert answers == [True, False, True, False]
