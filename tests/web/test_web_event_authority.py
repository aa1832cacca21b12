"""POST /api/v1/events needs a role the rule sets grant for the event type; cases it names must be visible;
the poster is recorded on the event and on everything the rules do with it. Refusals change nothing."""
from __future__ import annotations

from sqlalchemy import func, select
from webtools import bearer

from engine.cases.service import start_case
from engine.commands.events import ingest_event
from engine.errors import Forbidden, NotFound
from engine.org.access import Actor
from engine.org.config import OrgConfig, UserSpec
from engine.org.service import load_organisation
from engine.store.models.audit import AuditEvent
from engine.store.models.cases import Case
from engine.store.models.rules import EventRuleState

READING = {"type": "sensor.reading", "source": "gauge-gateway",
           "payload": {"sensor_id": "WL-9", "kind": "water_level", "value": 0.8, "location": "人民南路隧道",
                       "grid_cell": "S05C02G01"}}
HOTLINE = Actor("hl9", "rexian", frozenset({("hotline", None)}))


def _add_gateway(web_db) -> None:
    with web_db.transaction() as session:
        load_organisation(session, OrgConfig(users=[
            UserSpec("gauge1", "水位网关", None, "Correct-Horse-42", "zh", (("sensor_gateway", None),))]))


def _counts(web_db) -> tuple[int, int, int]:
    with web_db.transaction(readonly=True) as session:
        return (session.scalar(select(func.count()).select_from(Case)),
                session.scalar(select(func.count()).select_from(AuditEvent)),
                session.scalar(select(func.count()).select_from(EventRuleState)))


def test_a_handler_posting_a_sensor_reading_is_refused_403_and_nothing_changes(app, web_db):
    api, headers = app.test_client(), bearer(web_db, "h_cg")
    before = _counts(web_db)
    answers = [api.post("/api/v1/events", json=READING, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert answers[0].get_json()["error"]["code"] == "forbidden"
    assert _counts(web_db) == before


def test_the_sensor_gateway_account_starts_the_emergency_case_and_the_poster_is_recorded(app, web_db):
    _add_gateway(web_db)
    api, headers = app.test_client(), bearer(web_db, "gauge1")
    answers = [api.post("/api/v1/events", json=READING, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    started = answers[2].get_json()["actions"][0]
    with web_db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.business_key == started["case_key"])).one()
        case_actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.case_id == case.id)))
        posted = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "event_posted")))
    assert case.process_key == "emergency_linkage"
    assert case.opened_by == "rules (for gauge1)"
    assert case_actors == {"rules (for gauge1)"}
    assert len(posted) == 3 and {p.actor for p in posted} == {"gauge1"}
    assert posted[2].details["type"] == "sensor.reading" and posted[2].details["actions"] == 1


def test_an_event_type_no_rule_set_grants_is_refused_even_to_an_administrator(app, web_db):
    api, headers = app.test_client(), bearer(web_db, "adm")
    answer = api.post("/api/v1/events", json={"type": "made.up", "payload": {}}, headers=headers)
    assert answer.status_code == 403


def test_an_event_naming_a_case_the_poster_cannot_see_is_refused_404_and_nothing_changes(web_db):
    with web_db.transaction() as session:
        hidden = start_case(session, "web_flow", {"title": "路灯", "grid_cell": "S01C01G01",
                                                  "responsible_department": "chengguan"},
                            Actor("gw1", "S01", frozenset({("grid_worker", "S01C01G01")}), frozenset({"S01C01G01"})))
        hidden_id, hidden_key = hidden.id, hidden.business_key
    before = _counts(web_db)
    forged = {"type": "case.reported", "payload": {"subcategory": "x", "grid_cell": "S01C01G01"}}
    for naming in ({"case_id": hidden_id}, {"case_key": hidden_key}, {"case_id": 999999}):
        try:
            with web_db.transaction() as session:
                ingest_event(session, HOTLINE, {**forged, "payload": {**forged["payload"], **naming}})
        except NotFound:
            pass
        else:
            raise AssertionError(f"an event naming {naming} was accepted")
    assert _counts(web_db) == before


def test_a_supervisor_may_not_post_sensor_readings(web_db):
    with web_db.transaction() as session:
        try:
            ingest_event(session, Actor("sup", None, frozenset({("supervisor", None)})), READING)
        except Forbidden as refused:
            assert "sensor.reading" in refused.message
        else:
            raise AssertionError("a supervisor posted a sensor reading")
