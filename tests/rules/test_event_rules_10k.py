"""10,000 events through the shipped rule sets: the hot spots, recurrences and automatic emergency cases
are exactly those an independent reading of the rules predicts, and the rows of window state in the
database stay bounded throughout (expired groups are purged as event time moves on)."""
from __future__ import annotations

import random
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.events.loading import deployed_rulesets
from engine.events.service import clean_event, process_events
from engine.rules.adapter import DEFAULT_MAX_SESSIONS, DurableRules
from engine.store.models.cases import Case
from engine.store.models.rules import EventRuleState

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
SUBCATEGORIES = [f"01{i:02d}" for i in range(1, 11)] + [f"04{i:02d}" for i in range(1, 11)]
CELLS = ["S01C01G01", "S01C01G02", "S02C01G01", "S02C02G01", "S03C01G01", "S03C02G01", "S04C01G01",
         "S04C02G01", "S05C01G01", "S05C02G01"]
PLACES = ["湖贝路1号", "东门中路2号", "人民南路3号", "翠竹路4号", "黄贝路5号"]
# As a sensor feed arrives (POST /api/v1/events/batch, the broker consumers); a single event is a batch of one
# through the same process_events, so the rules meet the same path. State is measured between batches.
BATCH = 50
SENSORS = {"WL-01": "S05C02G01", "WL-02": "S03C02G01", "WL-03": "S01C01G01", "WL-04": "S04C01G01"}


def stream(n: int = 10_000) -> list[dict[str, Any]]:
    rng = random.Random(6)
    events = []
    for i in range(n):
        at = T0 + timedelta(seconds=30 * i)
        roll = rng.random()
        if roll < 0.7:
            events.append({"type": "case.reported", "occurred_at": at, "payload": {
                "subcategory": rng.choice(SUBCATEGORIES), "grid_cell": rng.choice(CELLS),
                "place": rng.choice(PLACES), "case_key": f"EXT-{i}"}})
        elif roll < 0.8:
            events.append({"type": "case.closed", "occurred_at": at, "payload": {
                "subcategory": rng.choice(SUBCATEGORIES), "place": rng.choice(PLACES),
                "status": rng.choice(["completed", "completed", "cancelled"]), "case_key": f"EXT-{i}"}})
        else:
            sensor = rng.choice(list(SENSORS))
            events.append({"type": "sensor.reading", "occurred_at": at, "payload": {
                "sensor_id": sensor, "kind": "water_level", "value": round(rng.uniform(0.3, 0.75), 2),
                "location": f"{sensor} 隧道", "grid_cell": SENSORS[sensor]}})
    return events


def expected(events: list[dict[str, Any]]) -> tuple[int, int, int]:
    """An independent reading of rules/events/*.json."""
    hot, recurrences, emergencies = 0, 0, 0
    windows: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)
    closed: dict[tuple[str, str], datetime] = {}
    streaks: dict[str, int] = defaultdict(int)
    quiet: dict[str, datetime] = {}
    for event in events:
        at, p = event["occurred_at"], event["payload"]
        if event["type"] == "case.reported":
            window = windows[(p["subcategory"], p["grid_cell"])]
            window.append(at)
            while at - window[0] > timedelta(hours=2):
                window.popleft()
            if len(window) >= 3:
                hot += 1
                window.clear()
            last = closed.get((p["subcategory"], p["place"]))
            if last is not None and at - last <= timedelta(days=30):
                recurrences += 1
        elif event["type"] == "case.closed" and p["status"] == "completed":
            closed[(p["subcategory"], p["place"])] = at
        elif event["type"] == "sensor.reading":
            sensor = p["sensor_id"]
            streaks[sensor] = streaks[sensor] + 1 if p["value"] > 0.5 else 0
            if streaks[sensor] >= 3:
                streaks[sensor] = 0
                if sensor not in quiet or at >= quiet[sensor]:
                    emergencies += 1
                    quiet[sensor] = at + timedelta(hours=6)
    return hot, recurrences, emergencies


def test_ten_thousand_events_give_the_predicted_hot_spots_recurrences_and_automatic_cases(deployed_db):
    events = stream()
    rules = DurableRules()
    results: list[dict[str, Any]] = []
    most_sessions, most_rows = 0, 0
    with deployed_db.transaction() as session:
        rulesets = deployed_rulesets(session)
        assert {r.name for r in rulesets} == {"hot_spot", "recurrence", "water_level"}
        for start in range(0, len(events), BATCH):
            cleaned = [clean_event(event) for event in events[start:start + BATCH]]
            for event_results in process_events(session, cleaned, "rules", rulesets, rules):
                results.extend(event_results)
            most_sessions = max(most_sessions, *(rules.open_sessions(session, r) for r in rulesets))
            most_rows = max(most_rows, session.scalar(select(func.count()).select_from(EventRuleState)))
        rows_at_end = session.scalar(select(func.count()).select_from(EventRuleState))
        hot_cases = session.scalar(select(func.count()).select_from(Case).where(Case.process_key == "hot_spot"))
        emergency_cases = session.scalar(select(func.count()).select_from(Case)
                                         .where(Case.process_key == "emergency_linkage"))
        flooding = session.scalars(select(Case.data).where(Case.process_key == "emergency_linkage")).first()
    hot, recurrences, emergencies = expected(events)
    assert hot > 10 and recurrences > 100 and emergencies > 3  # the stream exercises every rule
    assert hot_cases == hot
    assert len([r for r in results if r["operation"] == "flag_case"]) == recurrences
    assert len([r for r in results if r["operation"] == "notify" and r["ruleset"] == "recurrence"]) == recurrences
    assert emergency_cases == emergencies and flooding["incident_type"] == "flooding"
    assert most_sessions <= DEFAULT_MAX_SESSIONS and rules.evicted == 0
    # Bounded by what can be live at once (20 subcategories x 10 cells of hot-spot windows, recurrence
    # memory per subcategory and place, 4 gauges), never by the 10,000 events of history.
    assert 0 < rows_at_end <= most_rows <= 20 * 10 + 20 * 5 * 2 + 4
    assert set(rules.durable_sessions().values()) <= {0, 1}
