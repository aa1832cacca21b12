"""An English page reads in English what the product names: every element of a shipped process's diagram,
what a case waits for (a BPMN timer, a report to the case), an incident's step, a deadline's unit, the
dashboard's own words. What people typed stays as typed, and Chinese pages read exactly as before."""
from __future__ import annotations

import re

from lxml import etree
from webtools import page_text, reading_in

from engine.cases.service import start_case
from engine.org.access import Actor
from engine.store.database import Database
from engine.store.models.incidents import Incident
from tests.families.helpers import WINDOW

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CJK = re.compile(r"[\u3400-\u9fff]")
DUTY = Actor("duty", "zhihui", frozenset({("duty_officer", None)}))
FOOD = {"title": "食品经营许可 测试面馆", "applicant": "测试面馆", "applicant_id": "92440303MA5G0T1X1K",
        "licence_type": "food_business",
        "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout",
                                "food_safety_rules", "staff_health_certs"]}


def _emergency(web_db: Database) -> int:
    with web_db.transaction() as session:
        return start_case(session, "emergency_linkage", {
            "title": "燃气泄漏", "incident_type": "gas_leak", "casualties": 0, "people_affected": 5,
            "location_class": "residential", "location": "桂园路1号", "grid_cell": "S01C01G01"}, DUTY).id


def _licensing(web_db: Database) -> int:
    with web_db.transaction() as session:
        return start_case(session, "licensing", dict(FOOD), WINDOW).id


def _drawn_names(xml: str) -> dict[str, str]:
    """id -> name of every element the viewer labels (the process element itself is not drawn)."""
    root = etree.fromstring(xml.encode("utf-8"))
    return {element.get("id"): element.get("name") for element in root.iter(f"{{{BPMN}}}*")
            if element.get("name") and etree.QName(element).localname not in ("process", "message")}


def test_the_english_diagram_of_a_shipped_process_names_every_element_in_english(app, web_db):
    case_id = _emergency(web_db)
    english = _drawn_names(page_text(reading_in(app, "sup", "en"), f"/cases/{case_id}/diagram.bpmn"))
    assert [name for name in english.values() if CJK.search(name)] == []
    assert english["wait"] == "Wait for on-scene reports" and english["gw_done"] == "All agencies finished?"
    chinese = _drawn_names(page_text(reading_in(app, "sup", "zh"), f"/cases/{case_id}/diagram.bpmn"))
    assert chinese["wait"] == "等待现场报告" and chinese["gw_done"] == "全部处置完毕？"


def test_a_waiting_bpmn_timer_reads_as_its_event_in_english(app, web_db):
    case_id = _emergency(web_db)
    assert "Wait for on-scene reports: " in page_text(reading_in(app, "sup", "en"), f"/cases/{case_id}")
    assert "等待现场报告: " in page_text(reading_in(app, "sup", "zh"), f"/cases/{case_id}")
    licence = _licensing(web_db)
    assert "Deemed accepted (no decision within 5 working days): " in page_text(reading_in(app, "sup", "en"), f"/cases/{licence}")


def test_the_reports_a_case_waits_for_are_named_in_english_on_its_page_and_the_report_form(app, web_db):
    case_id = _emergency(web_db)
    client = reading_in(app, "duty", "en")
    case = page_text(client, f"/cases/{case_id}")
    section = case.split('id="cg-case-messages"')[1].split("</section>")[0]
    assert "Grade change" in section and "On-scene progress" in section and not CJK.search(section)
    form = page_text(client, f"/cases/{case_id}/messages/incident_grade_change")
    assert "<h1>Grade change</h1>" in form
    assert "<h1>级别调整</h1>" in page_text(reading_in(app, "duty", "zh"), f"/cases/{case_id}/messages/incident_grade_change")


def test_an_incident_names_its_step_in_english_on_the_case_page_and_the_incidents_page(app, web_db):
    case_id = _emergency(web_db)
    with web_db.transaction() as session:
        session.add(Incident(case_id=case_id, process_key="emergency_linkage", element="grade_rule",
                             element_name="事件分级", kind="script", error="boom"))
    case = page_text(reading_in(app, "adm", "en"), f"/cases/{case_id}")
    assert "<strong>Grade the incident</strong>" in case
    assert "<td>Grade the incident</td>" in page_text(reading_in(app, "adm", "en"), "/incidents")
    assert "<strong>事件分级</strong>" in page_text(reading_in(app, "adm", "zh"), f"/cases/{case_id}")


def test_a_deadline_names_its_unit_in_english_brackets_on_an_english_page(app, web_db):
    case_id = _emergency(web_db)
    english = page_text(reading_in(app, "sup", "en"), f"/cases/{case_id}")
    assert "Acknowledge the dispatch (Gas utility emergency crew): " in english
    assert "（Gas utility emergency crew）" not in english
    assert "接警确认（燃气集团抢险中心）: " in page_text(reading_in(app, "sup", "zh"), f"/cases/{case_id}")


def test_the_dashboard_in_english_has_no_chinese_of_its_own(app, web_db):
    page = page_text(reading_in(app, "sup", "en"), "/dashboard")
    assert "督办" not in page and "争议裁定" not in page and "延期审批" not in page
    chinese = page_text(reading_in(app, "sup", "zh"), "/dashboard")
    assert "<th>督办</th>" in chinese and "退回案件的争议裁定和延期审批是流程环节" in chinese
