"""A social event of an emergency category starts a linked emergency case, waits, and resumes at
verification when that case closes; both cases show the link."""
from __future__ import annotations

from sqlalchemy import select

from engine.cases.view import case_view
from engine.messages.service import send_message
from engine.org.access import system_actor
from engine.org.service import actor_for
from engine.store.models.cases import Case
from engine.store.models.messages import MessageSubscription
from tests.families.helpers import DUTY, case_row, links_of, message, open_items, waiting_messages, work
from tests.social_event.helpers import act, only_item, start

FLOODING = {"title": "立新路城市内涝", "category": "0506", "grid_cell": "S03C02G01",
            "address": "东门街道立新路", "description": "积水深约50厘米，车辆无法通行"}


def emergency_of(db, social_id: int) -> Case:
    with db.transaction(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.process_key == "emergency_linkage")).one()
        session.expunge(case)
    assert links_of(db, social_id) == [(social_id, case.id, "emergency_alarm")]
    return case


def test_a_flooding_report_becomes_a_linked_emergency_case_and_returns_at_verification(deployed_db):
    db = deployed_db
    social_id = start(db, **FLOODING)
    act(db, only_item(db, social_id, "register").id, "dispatcher1", {"register_decision": "register"})
    emergency = emergency_of(db, social_id)
    assert emergency.family == "emergency" and emergency.data["origin_case"] == case_row(db, social_id).business_key
    assert emergency.data["incident_type"] == "flooding" and emergency.data["location_class"] == "road"
    assert set(emergency.data["agencies"]) == {"water", "street_office"}
    # The social event waits for the emergency case and has nothing in anyone's inbox meanwhile.
    assert open_items(db, social_id) == []
    assert waiting_messages(db, social_id) == {"emergency_closed"}
    with db.transaction(readonly=True) as session:
        views = [case_view(session, cid, system_actor()) for cid in (social_id, emergency.id)]
        assert [(link.case_id, link.direction) for link in views[0].links] == [(emergency.id, "to")]
        assert [(link.case_id, link.direction) for link in views[1].links] == [(social_id, "from")]

    for agency in ("water", "street_office"):
        message(db, emergency.id, "agency_finished", {"agency": agency})
    work(db, emergency.id, "written_report", {"reported_to": "区应急管理局", "summary": "初报"}, DUTY)
    work(db, emergency.id, "close_incident", {"close_summary": "积水已排除"}, DUTY)
    assert case_row(db, social_id).status == "running" and open_items(db, social_id) == []
    work(db, emergency.id, "review_report", {"review": "排涝及时"}, DUTY)

    assert case_row(db, emergency.id).status == "completed"
    verify = only_item(db, social_id, "verify")
    assert verify.grid_cell == "S03C02G01"
    result = case_row(db, social_id).data["emergency_result"]
    assert result["emergency_case"] == emergency.business_key and result["summary"] == "积水已排除"
    act(db, verify.id, "gw_s03c02g01", {"verify_result": "solved"})
    assert "close" in {i.task_spec for i in open_items(db, social_id)}


def test_the_closing_message_is_correlated_to_its_own_social_event_only(deployed_db):
    db = deployed_db
    first, second = start(db, **FLOODING), start(db, **{**FLOODING, "category": "0503", "title": "燃气泄漏"})
    for case_id in (first, second):
        act(db, only_item(db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    key = case_row(db, second).business_key
    with db.transaction() as session:
        waiting = session.scalars(select(MessageSubscription).where(MessageSubscription.case_id == second)).one()
        assert waiting.correlation == {"origin_case": key}
        # Delivered by correlation alone (as the REST API can), across processes: only `second` moves.
        send_message(session, message_name="emergency_closed", correlation={"origin_case": key},
                     payload={"emergency_case": "manual", "summary": "handled by phone"},
                     actor=actor_for(session, "dispatcher1"))
    assert only_item(db, second, "verify")
    assert open_items(db, first) == [] and waiting_messages(db, first) == {"emergency_closed"}




def test_a_linked_case_the_viewer_may_not_open_is_listed_but_not_linked(deployed_db):
    # The duty officer sees the emergency case but not the social event it came from: the page names the
    # origin without a link that would only lead to a 404; the dispatcher, who may open both, gets links.
    db = deployed_db
    social_id = start(db, **FLOODING)
    act(db, only_item(db, social_id, "register").id, "dispatcher1", {"register_decision": "register"})
    emergency = emergency_of(db, social_id)
    with db.transaction(readonly=True) as session:
        duty_links = case_view(session, emergency.id, DUTY).links
        dispatcher_links = case_view(session, emergency.id, actor_for(session, "dispatcher1")).links
    assert [(link.case_id, link.openable) for link in duty_links] == [(social_id, False)]
    assert [(link.case_id, link.openable) for link in dispatcher_links] == [(social_id, True)]
