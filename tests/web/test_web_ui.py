"""The pages people use: inbox, task form with server-side validation, case page, starting a case."""
from __future__ import annotations

import re

from webtools import open_item, page_csrf, signed_in, start_report

from engine.commands.tasks import claim, complete
from engine.org.service import actor_for


def test_the_inbox_lists_my_tasks_and_the_claimable_ones_of_my_groups(app, web_db):
    item = open_item(web_db, start_report(web_db))
    client = signed_in(app, "h_cg")
    html = client.get("/").get_data(as_text=True)
    assert "本组可认领的任务" in html and item.task_name in html and f"/tasks/{item.id}/claim" in html
    assert client.get("/?q=no-such-case").get_data(as_text=True).count(f"/tasks/{item.id}\"") == 0
    client.post(f"/tasks/{item.id}/claim", data={"csrf_token": page_csrf(client, "/")})
    mine = client.get("/?view=mine").get_data(as_text=True)
    assert f'href="/tasks/{item.id}"' in mine
    assert "Broken lamp" in client.get("/?q=Broken").get_data(as_text=True)


def test_an_invalid_form_comes_back_with_errors_in_place_and_values_kept(app, web_db):
    item = open_item(web_db, start_report(web_db))
    client = signed_in(app, "h_cg")
    token = page_csrf(client, "/")
    client.post(f"/tasks/{item.id}/claim", data={"csrf_token": token})
    page = client.get(f"/tasks/{item.id}").get_data(as_text=True)
    assert 'name="result"' in page and 'name="csrf_token"' in page
    response = client.post(f"/tasks/{item.id}/complete", data={"csrf_token": token, "result": "abc", "hours": "500"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "cg-error-summary" in html
    assert "abc</textarea>" in html and 'value="500"' in html
    assert open_item(web_db, item.case_id).id == item.id
    done = client.post(f"/tasks/{item.id}/complete", data={"csrf_token": token, "result": "lamp fixed", "hours": "2"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")  # verify is the grid worker's


def test_transfer_needs_a_reason_and_goes_to_a_department_colleague(app, web_db):
    item = open_item(web_db, start_report(web_db))
    client = signed_in(app, "h_cg")
    token = page_csrf(client, "/")
    client.post(f"/tasks/{item.id}/claim", data={"csrf_token": token})
    page = client.get(f"/tasks/{item.id}").get_data(as_text=True)
    assert 'value="h_cg2"' in page and 'value="h_hw"' not in page
    client.post(f"/tasks/{item.id}/transfer", data={"csrf_token": token, "to_user": "h_cg2", "reason": ""})
    assert open_item(web_db, item.case_id).assignee == "h_cg"
    client.post(f"/tasks/{item.id}/transfer", data={"csrf_token": token, "to_user": "h_cg2", "reason": "on leave"})
    assert open_item(web_db, item.case_id).assignee == "h_cg2"
    # The new assignee by name, on the task page and in their inbox.
    assert "办理人: H_CG2" in client.get(f"/tasks/{item.id}").get_data(as_text=True)
    assert re.search(r"<td[^>]*>H_CG2</td>", signed_in(app, "h_cg2").get("/?view=mine").get_data(as_text=True))


def test_nobody_is_offered_themselves_to_transfer_an_unclaimed_task_to(app, web_db):
    item = open_item(web_db, start_report(web_db))
    page = signed_in(app, "h_cg").get(f"/tasks/{item.id}").get_data(as_text=True)
    assert 'value="h_cg2"' in page and 'value="h_cg"' not in page


def test_the_case_page_marks_the_current_step_and_shows_the_timeline(app, web_db):
    case_id = start_report(web_db)
    client = signed_in(app, "sup")
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-current="[&#34;handle&#34;]"' in html
    assert "发起案件" in html and "生成任务" in html and "case_started" not in html
    assert '<strong title="gw1">GW1</strong>' in html  # the actor by name, the username on hover
    assert "vendor/bpmn-js/bpmn-viewer.production.min.js" in html
    diagram = client.get(f"/cases/{case_id}/diagram.bpmn")
    assert diagram.status_code == 200 and b'id="handle"' in diagram.data


def test_a_grid_worker_reports_through_the_start_form(app, web_db):
    client = signed_in(app, "gw1")
    assert "/start/web_flow" in client.get("/start").get_data(as_text=True)
    assert "/start/web_flow" not in signed_in(app, "h_cg").get("/start").get_data(as_text=True)
    token = page_csrf(client, "/start/web_flow")
    bad = client.post("/start/web_flow", data={"csrf_token": token, "title": "Pothole"})
    assert bad.status_code == 422 and 'value="Pothole"' in bad.get_data(as_text=True)
    ok = client.post("/start/web_flow", data={"csrf_token": token, "title": "Pothole", "grid_cell": "S01C01G01",
                                              "responsible_department": "huanwei"})
    assert ok.status_code == 302 and "/cases/" in ok.headers["Location"]


def test_the_case_list_names_each_process_as_deployed_not_by_its_key(app, web_db):
    start_report(web_db)
    html = signed_in(app, "h_cg").get("/cases").get_data(as_text=True)
    assert "<td>Web test flow</td>" in html and "<td>web_flow</td>" not in html


def test_the_case_page_labels_data_with_its_form_fields_and_shows_process_records_to_operators_only(app, web_db):
    case_id = start_report(web_db)
    with web_db.transaction() as session:
        from engine.store.models.cases import Case

        case = session.get(Case, case_id)
        case.data = {**case.data, "rework_count": 0, "override_reason": None, "log": []}
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    fields = html[html.index('id="cg-case-fields"'):html.index("</dl>", html.index('id="cg-case-fields"'))]
    # Form order, the form's labels and option names, not the stored codes.
    assert fields.index("标题") < fields.index("网格") < fields.index("责任部门")
    assert "第1网格" in fields and "城管" in fields and "S01C01G01" not in fields
    # The raw process record is for the people who fix processes (operators and analysts), not for a supervisor.
    assert "cg-other-data" not in html and "rework_count" not in html
    html = signed_in(app, "adm").get(f"/cases/{case_id}").get_data(as_text=True)
    records = html[html.index("cg-other-data"):]
    assert "rework_count" in records and "override_reason" not in html and ">log<" not in html


def test_case_data_shows_only_answers_people_gave_never_process_variables_under_a_fields_label(app, web_db):
    """The emergency process keeps the last agency of its dispatch loop in `agency` and the graded level in
    `grade`: the names of the report forms' 联动单位 and 新级别. Nobody reported either, so neither shows."""
    from engine.commands.messages import deliver_message
    from engine.org.access import system_actor
    from tests.families.helpers import start_incident

    case_id = start_incident(web_db, {"title": "燃气泄漏 东门路", "incident_type": "gas_leak", "casualties": 3,
                                      "people_affected": 300, "location_class": "residential",
                                      "location": "东门路 12 号", "grid_cell": "S03C01G01"})
    with web_db.transaction(readonly=True) as session:
        from engine.store.models.cases import Case

        data = session.get(Case, case_id).data
    assert data.get("agency") and data.get("grade")  # the process's own values, under the forms' field names

    def fields() -> str:
        html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
        return html[html.index('id="cg-case-fields"'):html.index("</dl>", html.index('id="cg-case-fields"'))]

    shown = fields()
    assert "东门路 12 号" in shown  # what the duty officer reported
    assert "联动单位" not in shown and "新级别" not in shown
    # A grade change someone reports is an answer: it shows, under the label of the form it was given through.
    with web_db.transaction() as session:
        deliver_message(session, system_actor(), "incident_grade_change", case_id=case_id,
                        payload={"grade": 2, "reason": "伤亡增加"}, lang="zh")
    shown = fields()
    assert "新级别" in shown and "Ⅱ 重大" in shown and "伤亡增加" in shown and "联动单位" not in shown


def test_the_case_page_labels_data_only_with_its_own_processs_forms(app, web_db):
    from engine.cases.service import start_case
    from engine.org.access import system_actor

    with web_db.transaction() as session:
        case_id = start_case(session, "licensing", {
            "title": "食品经营许可 测试面馆", "applicant": "测试面馆", "applicant_id": "92440303MA5G0T1X1K",
            "licence_type": "food_business", "materials_submitted": ["application_form"]}, system_actor()).id
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    fields = html[html.index('id="cg-case-fields"'):html.index("</dl>", html.index('id="cg-case-fields"'))]
    # The process copies the licence type to `category`; other families' forms ask a `category` too.
    assert "测试面馆" in fields and "food_business" not in fields


def test_a_task_of_a_grid_cell_and_no_department_names_the_cell_without_a_dangling_separator(app, web_db):
    handle = open_item(web_db, start_report(web_db))
    with web_db.transaction() as session:
        claim(session, actor_for(session, "h_cg"), handle.id)
        complete(session, actor_for(session, "h_cg"), handle.id, {"result": "lamp fixed", "hours": 2})
    verify = open_item(web_db, handle.case_id)
    assert verify.department is None and verify.grid_cell == "S01C01G01"
    client = signed_in(app, "gw1")
    for page in (client.get("/").get_data(as_text=True), client.get(f"/cases/{handle.case_id}").get_data(as_text=True)):
        cells = re.findall(r'data-label="部门 / 网格">([^<]*)</td>', page)
        assert "桂园社区第1网格" in cells and not [c for c in cells if c.startswith(" ·") or c.endswith("· ")], cells


def test_the_case_page_says_unclaimed_for_an_open_task_nobody_holds_not_an_empty_cell(app, web_db):
    case_id = start_report(web_db)
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.search(r'<td data-label="办理人">未认领</td>', html)
    assert '<td data-label="办理人"></td>' not in html


def test_the_case_header_says_who_started_the_case_not_that_the_reporter_registered_it(app, web_db):
    # 立案 is the dispatcher's step (案卷建立（立案）); the header's time is when the case was started,
    # by whoever reported or applied, and a case not yet registered has no 立案时间 at all.
    case_id = start_report(web_db)
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    header = html[html.index('<header class="cg-page-header">'):]
    header = header[:header.index("</header>")]
    assert "发起时间" in header and "立案时间" not in header
