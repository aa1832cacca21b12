"""POST /api/v1/events/batch: up to CASEGRID_EVENTS_BATCH_MAX events in one transaction, each applied at most
once by its idempotency key; a batch too large, malformed or not allowed is refused whole and changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select
from webtools import bearer

from engine.org.config import OrgConfig, UserSpec
from engine.org.service import load_organisation
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.rules import EventRuleState, IngestedEvent


def reading(n: int, value: float = 0.2, sensor: str = "WL-7", with_id: bool = True) -> dict:
    event = {"type": "sensor.reading", "source": "gauge-gateway", "occurred_at": f"2026-11-24T08:{n // 60:02d}:{n % 60:02d}+08:00",
             "payload": {"sensor_id": sensor, "kind": "water_level", "value": value, "location": "人民南路隧道",
                         "grid_cell": "S05C02G01"}}
    return {"id": f"{sensor}-{n}", **event} if with_id else event


def _gateway(web_db) -> dict:
    with web_db.transaction() as session:
        load_organisation(session, OrgConfig(users=[
            UserSpec("gauge1", "水位网关", None, "Correct-Horse-42", "zh", (("sensor_gateway", None),))]))
    return bearer(web_db, "gauge1")


def _counts(web_db) -> tuple[int, int, int, int]:
    with web_db.transaction(readonly=True) as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Case, AuditEvent, EventRuleState, IngestedEvent))


def test_a_batch_is_applied_in_order_in_one_transaction_and_its_keys_are_stored(app, web_db):
    headers, api = _gateway(web_db), app.test_client()
    events = [reading(i, value=0.9 if i >= 7 else 0.2) for i in range(10)]  # the last three readings are high
    answer = api.post("/api/v1/events/batch", json={"events": events}, headers=headers)
    assert answer.status_code == 202, answer.get_json()
    body = answer.get_json()
    assert body["applied"] == 10 and body["duplicates"] == 0
    assert [e["status"] for e in body["events"]] == ["applied"] * 10
    started = body["events"][9]["actions"]
    assert [a["operation"] for a in started] == ["start_case"]  # three high readings in a row: one emergency
    with web_db.transaction(readonly=True) as session:
        keys = set(session.scalars(select(IngestedEvent.idempotency_key)))
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "events_posted")).one()
    assert keys == {f"gauge1:WL-7-{i}" for i in range(10)}
    assert audit.actor == "gauge1" and audit.details["applied"] == 10


def test_a_batch_sent_again_is_reported_as_duplicates_and_applies_nothing_twice(app, web_db):
    headers, api = _gateway(web_db), app.test_client()
    events = [reading(i, value=0.9) for i in range(3)]
    first = api.post("/api/v1/events/batch", json={"events": events}, headers=headers).get_json()
    assert first["applied"] == 3
    before = _counts(web_db)
    again = api.post("/api/v1/events/batch", json={"events": events + [events[0]]}, headers=headers).get_json()
    assert again["applied"] == 0 and again["duplicates"] == 4
    after = _counts(web_db)
    assert after[0] == before[0] and after[2:] == before[2:]  # no new case, rule state, stored event
    with web_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)
                              .where(Case.process_key == "emergency_linkage")) == 1


def test_an_event_without_an_id_is_keyed_by_its_content_so_a_resend_is_still_a_duplicate(app, web_db):
    headers, api = _gateway(web_db), app.test_client()
    events = [reading(i, with_id=False) for i in range(2)]
    assert api.post("/api/v1/events/batch", json={"events": events}, headers=headers).get_json()["applied"] == 2
    again = api.post("/api/v1/events/batch", json={"events": events}, headers=headers).get_json()
    assert again["duplicates"] == 2


def test_a_batch_over_the_configured_count_is_refused_422_and_nothing_changes(app, web_db, monkeypatch):
    headers, api = _gateway(web_db), app.test_client()
    monkeypatch.setenv("CASEGRID_EVENTS_BATCH_MAX", "5")
    before = _counts(web_db)
    answer = api.post("/api/v1/events/batch", json={"events": [reading(i) for i in range(6)]}, headers=headers)
    assert answer.status_code == 422
    assert "at most 5" in answer.get_json()["error"]["message"]
    assert _counts(web_db) == before


def test_one_malformed_event_refuses_the_whole_batch_naming_it_and_nothing_changes(app, web_db):
    headers, api = _gateway(web_db), app.test_client()
    before = _counts(web_db)
    events = [reading(0), {"type": "", "payload": []}, reading(2), "not an event", {**reading(4), "id": "x" * 101}]
    answer = api.post("/api/v1/events/batch", json={"events": events}, headers=headers)
    assert answer.status_code == 422
    details = answer.get_json()["error"]["details"]
    assert {"events.1.type", "events.1.payload", "events.3.event", "events.4.id"} <= set(details)
    assert not any(key.startswith(("events.0", "events.2")) for key in details)
    assert _counts(web_db) == before
    for bad in ({"events": []}, {"events": "many"}, {}):
        assert api.post("/api/v1/events/batch", json=bad, headers=headers).status_code == 422
    assert _counts(web_db) == before


def test_a_batch_holding_a_type_the_caller_may_not_post_is_refused_403_and_nothing_changes(app, web_db):
    api, headers = app.test_client(), bearer(web_db, "h_cg")  # a handler: no rule set lets it post readings
    before = _counts(web_db)
    answer = api.post("/api/v1/events/batch", json={"events": [reading(0)]}, headers=headers)
    assert answer.status_code == 403
    assert _counts(web_db) == before
