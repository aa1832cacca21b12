"""What a running case waits for that people report (an agency finished, the grade changed, more agencies
needed) is offered on the case page, each through its catch event's form: the browser's way to what
POST /api/v1/cases/<id>/messages does, so an incident can be run to its close without the API."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from webtools import csrf_from, signed_in

from engine.store.models.cases import Case
from engine.store.models.incidents import Incident
from tests.families.helpers import fire, message, open_items, start_incident


def _case(web_db, case_id: int) -> Case:
    with web_db.transaction(readonly=True) as session:
        return session.get(Case, case_id)


def _report(client, case_id: int, name: str, data: dict) -> tuple[int, str]:
    path = f"/cases/{case_id}/messages/{name}"
    token = csrf_from(client.get(path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    return response.status_code, response.get_data(as_text=True)


def test_the_case_page_offers_each_report_the_incident_waits_for_in_chinese_and_not_its_internal_ones(app, web_db):
    case_id = start_incident(web_db)
    html = signed_in(app, "duty").get(f"/cases/{case_id}").get_data(as_text=True)
    section = html[html.index('id="cg-case-messages"'):]
    section = section[:section.index("</section>")]
    for name, label in (("agency_finished", "单位处置完毕"), ("incident_grade_change", "级别调整"),
                        ("incident_reinforcement", "请求增援"), ("incident_progress", "现场进展")):
        assert f'/cases/{case_id}/messages/{name}"' in section and label in section
    # What the process sends itself when an agency works its inbox task is not a person's to report.
    assert "agency_task_acknowledged" not in section and "agency_task_arrived" not in section


def test_a_grade_change_reported_from_the_case_page_regrades_the_running_incident(app, web_db):
    case_id = start_incident(web_db)  # grade Ⅳ
    status, _html = _report(signed_in(app, "duty"), case_id, "incident_grade_change",
                            {"grade": "2", "reason": "泄漏扩大，周边学校疏散"})
    assert status == 302
    data = _case(web_db, case_id).data
    assert data["grade"] == 2 and data["grade_history"][-1]["reason"] == "泄漏扩大，周边学校疏散"


def test_a_report_its_form_refuses_changes_nothing_and_says_why_beside_the_fields(app, web_db):
    case_id = start_incident(web_db)
    before = _case(web_db, case_id).version
    status, html = _report(signed_in(app, "duty"), case_id, "incident_grade_change", {"grade": "7", "reason": ""})
    assert status == 422 and "请填写“理由”" in html
    assert _case(web_db, case_id).version == before


@pytest.mark.parametrize("report", ["agency_finished", "incident_progress"])
def test_an_agency_report_form_offers_only_the_agencies_dispatched_to_the_incident(app, web_db, report):
    case_id = start_incident(web_db)  # a gas leak of grade Ⅳ
    dispatched = set(_case(web_db, case_id).data["agencies"])
    assert dispatched and "water" not in dispatched
    html = signed_in(app, "duty").get(f"/cases/{case_id}/messages/{report}").get_data(as_text=True)
    select_html = html[html.index('name="agency"'):]
    select_html = select_html[:select_html.index("</select>")]
    offered = set(re.findall(r'<option value="([^"]+)"', select_html))
    assert offered == dispatched


def test_an_agency_that_was_not_dispatched_is_refused_in_words_and_records_no_incident(app, web_db):
    case_id = start_incident(web_db)  # a gas leak of grade Ⅳ: no water utility
    before = _case(web_db, case_id).version
    status, html = _report(signed_in(app, "duty"), case_id, "agency_finished", {"agency": "water"})
    assert status == 422 and "该单位未派遣到本事件" in html and "ValueError" not in html
    assert _case(web_db, case_id).version == before
    with web_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Incident).where(Incident.case_id == case_id)) == 0


def test_a_report_the_case_does_not_wait_for_is_not_found_in_chinese(app, web_db):
    case_id = start_incident(web_db)
    response = signed_in(app, "duty").get(f"/cases/{case_id}/messages/agency_task_arrived")
    assert response.status_code == 404 and "该案件现在不等待此报告" in response.get_data(as_text=True)


def test_a_task_page_names_the_department_of_each_agencys_limit_of_the_same_step(app, web_db):
    case_id = start_incident(web_db)
    acknowledge = [i for i in open_items(web_db, case_id) if i.task_spec == "agency_acknowledge"]
    assert len(acknowledge) >= 2
    html = signed_in(app, "sup").get(f"/tasks/{acknowledge[0].id}").get_data(as_text=True)
    assert "「接警确认（燃气集团抢险中心）」时限" in html and "「接警确认（公安分局）」时限" in html
    assert "「接警确认」时限" not in html


def test_reports_are_offered_to_and_taken_from_the_holders_of_the_catch_events_lane_only(app, web_db):
    case_id = start_incident(web_db)
    # A supervisor sees the incident but does not stand in the duty officer's lane: no card, and a report
    # asked for or sent anyway is refused in words, changing nothing.
    supervisor = signed_in(app, "sup")
    html = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="cg-case-messages"' not in html
    asked = supervisor.get(f"/cases/{case_id}/messages/incident_grade_change")
    assert asked.status_code == 403 and "此报告由应急值班员填报，您不能填报。" in asked.get_data(as_text=True)
    before = _case(web_db, case_id).version
    duty_token = csrf_from(signed_in(app, "duty").get(f"/cases/{case_id}/messages/incident_grade_change")
                           .get_data(as_text=True))
    sent = supervisor.post(f"/cases/{case_id}/messages/incident_grade_change",
                           data={"csrf_token": duty_token, "grade": "1", "reason": "越权"})
    assert sent.status_code in (400, 403)
    assert _case(web_db, case_id).version == before
    # The duty officer is offered the same report and it is taken.
    assert 'id="cg-case-messages"' in signed_in(app, "duty").get(f"/cases/{case_id}").get_data(as_text=True)


def test_the_api_refuses_a_report_from_someone_outside_the_catch_events_lane(app, web_db):
    from webtools import bearer

    case_id = start_incident(web_db)
    before = _case(web_db, case_id).version
    refused = app.test_client().post(f"/api/v1/cases/{case_id}/messages", headers=bearer(web_db, "sup"),
                                     json={"message_name": "incident_grade_change",
                                           "payload": {"grade": 1, "reason": "越权"}})
    assert refused.status_code == 403 and "may not report" in refused.get_json()["error"]["message"]
    assert _case(web_db, case_id).version == before
    # Whoever oversees every lane (the administrator) may report into any lane.
    taken = app.test_client().post(f"/api/v1/cases/{case_id}/messages", headers=bearer(web_db, "adm"),
                                   json={"message_name": "incident_grade_change",
                                         "payload": {"grade": 2, "reason": "泄漏扩大"}})
    assert taken.status_code == 200, taken.get_data(as_text=True)


def test_a_report_reads_in_the_case_record_under_what_was_reported_not_the_events_that_waited_for_it(app, web_db):
    case_id = start_incident(web_db)
    duty = signed_in(app, "duty")
    status, _html = _report(duty, case_id, "incident_grade_change", {"grade": "3", "reason": "被困人员增加"})
    assert status == 302
    html = duty.get(f"/cases/{case_id}").get_data(as_text=True)
    record = html[html.index('id="cg-case-record"'):]
    step = record[:record.index("被困人员增加")]
    title = re.sub(r"<[^>]+>", "", step[step.rindex("<h3>"):step.rindex("</h3>")]).split("·")[0].strip()
    assert title == "级别调整"


def test_a_second_acknowledgement_of_the_same_agency_is_refused_beside_the_agency_and_not_recorded(app, web_db):
    case_id = start_incident(web_db)  # gas and police dispatched
    duty = signed_in(app, "duty")
    status, _html = _report(duty, case_id, "agency_acknowledged", {"agency": "police"})
    assert status == 302
    before = _case(web_db, case_id).version
    status, html = _report(duty, case_id, "agency_acknowledged", {"agency": "police"})
    assert status == 422 and "该单位已报告接警，无需重复报告" in html and "已报告：" not in html
    assert _case(web_db, case_id).version == before
    record = duty.get(f"/cases/{case_id}").get_data(as_text=True)
    record = record[record.index('id="cg-case-record"'):]
    assert record.count("<h3>单位接警") == 1  # one entry, the first report
    # The three agency reports share one form; each is titled by the event that took it.
    status, _html = _report(duty, case_id, "agency_arrived", {"agency": "police"})
    assert status == 302
    record = duty.get(f"/cases/{case_id}").get_data(as_text=True)
    record = record[record.index('id="cg-case-record"'):]
    assert record.count("<h3>单位接警") == 1 and record.count("<h3>单位到场") == 1
    assert "<h3>联动单位状态" not in record


def test_an_acknowledge_task_withdrawn_after_its_limit_passed_reads_no_longer_timed_not_overdue(app, web_db):
    case_id = start_incident(web_db)
    police = next(i for i in open_items(web_db, case_id)
                  if i.task_spec == "agency_acknowledge" and i.department == "gongan")
    with time_machine.travel(police.due_at + timedelta(seconds=5), tick=False):
        fire(web_db)  # the breach timer marks it overdue
        message(web_db, case_id, "agency_acknowledged", {"agency": "police"})  # and the message withdraws it
        duty = signed_in(app, "duty")
        html = duty.get(f"/cases/{case_id}").get_data(as_text=True)
        rows = [re.sub(r"<[^>]+>", " ", row) for row in re.findall(r'<tr class="cg-row-[^"]*">.*?</tr>', html, re.S)]
        withdrawn = [row for row in rows if "接警确认" in row and "已撤回" in row]
        assert len(withdrawn) == 1 and "超期" not in withdrawn[0] and "不再计时" in withdrawn[0]
        task = duty.get(f"/tasks/{police.id}").get_data(as_text=True)
        assert "已撤回" in task and "超期" not in task and "不再计时" in task
        # The API reads it by the same rule, in the task and in the task list: withdrawn, not overdue.
        assert duty.get(f"/api/v1/tasks/{police.id}").get_json()["sla_state"] == "withdrawn"
        listed = duty.get(f"/api/v1/tasks?scope=all&status=any&case_id={case_id}").get_json()["items"]
        assert {t["id"]: t["sla_state"] for t in listed}[police.id] == "withdrawn"
