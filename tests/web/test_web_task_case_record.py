"""Each task page shows its case: the header and, read-only, what the earlier steps answered under their
own form labels, photos as thumbnails that open; the same view before and after claiming."""
from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from webtools import csrf_from, login

from engine.commands.tasks import claim
from engine.org.service import actor_for
from engine.store.database import Database
from tests.images import plain_jpeg
from tests.social_event.helpers import REPORT, act, claimed_feedback, only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
PHOTO = plain_jpeg()
REPORTED_BACK = "已清运垃圾两立方米，路口已冲洗干净"
GRID_WORKER = "gw_s03c01g01"  # the grid worker of the report's cell, S03C01G01


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</section>", start)]


def _verify_page_after_feedback_with_a_photo(app: Flask, web_db: Database) -> tuple[str, str]:
    feedback = claimed_feedback(web_db)
    handler = _client(app, "huanwei_h1")
    page = handler.get(f"/tasks/{feedback.id}").get_data(as_text=True)
    done = handler.post(f"/tasks/{feedback.id}/complete", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "result_summary": REPORTED_BACK,
        "result_photos__upload": [(io.BytesIO(PHOTO), "after.jpg", "image/jpeg")]})
    assert done.status_code == 302
    return only_item(web_db, feedback.case_id, "verify").id, feedback.case_id


def test_the_verify_page_shows_the_handlers_report_and_photo_before_claiming(app, web_db):
    verify_id, _case_id = _verify_page_after_feedback_with_a_photo(app, web_db)
    worker = _client(app, GRID_WORKER)
    html = worker.get(f"/tasks/{verify_id}").get_data(as_text=True)
    case = _section(html, "cg-task-case")
    assert 'name="verify_result"' not in html  # unclaimed: nothing to fill yet, the case to read
    # The header, in words.
    for words in (REPORT["title"], REPORT["address"], "0102 市容环境·暴露垃圾", "东门街道 湖贝社区第1网格"):
        assert words in case, words
    # The earlier steps under their own forms' labels, the handler's report among them.
    for label in ("事件上报", "问题描述", "任务派遣", "派遣方式", "按建议单位派遣", "处理反馈", "处理情况"):
        assert label in case, label
    assert REPORTED_BACK in case
    # The photo as a thumbnail that opens it, through the access-checked download route.
    thumb = re.search(r'<a href="(/attachments/\d+)"[^>]*><img src="\1"', case)
    assert thumb is not None
    assert worker.get(thumb.group(1)).data == PHOTO
    # No codes or variable names in what the page says (markup attributes aside), no placeholder rows.
    text = re.sub(r"<[^>]+>", " ", case)
    for raw in ("S03C01G01", "huanwei", "hotline", "dispatch_choice", "result_summary", "proposed_department"):
        assert raw not in text, raw
    assert "<dd>—</dd>" not in html
    start = html.index('<header class="cg-page-header">')
    header = html[start:html.index("</header>", start)]
    assert "湖贝社区第1网格" in header and "S03C01G01" not in header


def test_claiming_the_verify_task_keeps_the_same_view_of_the_case(app, web_db):
    verify_id, _case_id = _verify_page_after_feedback_with_a_photo(app, web_db)
    worker = _client(app, GRID_WORKER)
    before = _section(worker.get(f"/tasks/{verify_id}").get_data(as_text=True), "cg-task-case")
    with web_db.transaction() as session:
        claim(session, actor_for(session, GRID_WORKER), verify_id)
    after_html = worker.get(f"/tasks/{verify_id}").get_data(as_text=True)
    assert _section(after_html, "cg-task-case") == before
    assert 'name="verify_result"' in after_html  # and now the form to fill


def test_the_dispatch_page_names_the_proposed_unit_and_the_close_page_its_conditions(app, web_db):
    from engine.cases.service import start_case

    with web_db.transaction() as session:
        case_id = start_case(session, "social_event", REPORT, actor_for(session, "hotline1")).id
    act(web_db, only_item(web_db, case_id, "register").id, "dispatcher1", {"register_decision": "register"})
    dispatcher = _client(app, "dispatcher1")
    dispatch = dispatcher.get(f"/tasks/{only_item(web_db, case_id, 'dispatch').id}").get_data(as_text=True)
    facts = dispatch[dispatch.index('id="cg-task-facts"'):]
    assert "建议责任单位" in facts and "环境卫生管理处" in facts[:facts.index("</div>")]
    # and why: the basis of the matrix row that proposed it
    assert "建议理由（权责清单）" in facts and "区权责清单：暴露垃圾由环境卫生管理处负责" in facts
    assert "权责清单建议了责任单位" in dispatch  # the form's description
    act(web_db, only_item(web_db, case_id, "dispatch").id, "dispatcher1", {"dispatch_choice": "accept"})
    act(web_db, only_item(web_db, case_id, "handle").id, "huanwei_h1", {"handle_decision": "accept"})
    act(web_db, only_item(web_db, case_id, "feedback").id, "huanwei_h1", {"result_summary": REPORTED_BACK})
    act(web_db, only_item(web_db, case_id, "verify").id, GRID_WORKER, {"verify_result": "solved"})
    close = only_item(web_db, case_id, "close")
    with web_db.transaction() as session:
        claim(session, actor_for(session, "dispatcher1"), close.id)
    page = dispatcher.get(f"/tasks/{close.id}").get_data(as_text=True)
    assert "结案条件" in page and "已解决" in _section(page, "cg-task-case")
