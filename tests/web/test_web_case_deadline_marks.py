"""The case page, the task page, the inbox and the case list mark a paused case's deadline and a provisional one."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from engine.cases.service import start_case
from engine.sla.case_marks import pause_of
from engine.store.models.cases import Case
from engine.store.models.sla import SlaClock
from tests.families.helpers import WINDOW, item_named, open_items, reviewer, work
from tests.web.webtools import bearer, signed_in

FOOD = {"title": "食品经营许可 测试面馆", "applicant": "测试面馆", "applicant_id": "92440303MA5G0T1X1K",
        "licence_type": "food_business",
        "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout",
                                "food_safety_rules", "staff_health_certs"]}


def _apply(web_db, data=FOOD) -> int:
    with web_db.transaction() as session:
        return start_case(session, "licensing", dict(data), WINDOW).id


def _waiting_for_supplement(web_db) -> int:
    case_id = _apply(web_db, {**FOOD, "materials_submitted": ["application_form", "business_licence"]})
    work(web_db, case_id, "accept", {"acceptance_decision": "supplement"}, WINDOW)
    return case_id


def _deciding(web_db) -> int:
    case_id = _apply(web_db)
    work(web_db, case_id, "accept", {"acceptance_decision": "accept"}, WINDOW)
    for item in [i for i in open_items(web_db, case_id) if i.task_spec == "review_task"]:
        with web_db.transaction() as session:
            from engine.commands.tasks import complete

            complete(session, reviewer(item.department), item.id, {"opinion": "approve", "comments": "符合条件"})
    return case_id


def _case_deadline(html: str) -> str:
    start = html.index('id="cg-case-deadline"')
    return html[start:html.index("</li>", start)]


def test_a_case_waiting_for_the_applicant_reads_its_deadline_as_paused_with_the_reason_not_the_stale_date(app, web_db):
    case_id = _waiting_for_supplement(web_db)
    with web_db.transaction(readonly=True) as session:
        stale = session.get(Case, case_id).due_at
    assert stale is not None  # kept for the closure figures: the pages must not read it as running
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    line = _case_deadline(html)
    assert "案件时限" in line and "暂停计时（等待申请人补正材料，自 " in line and " 起" in line
    assert re.search(r"自 \d{1,2}月\d{1,2}日 \d\d:\d\d 起", line), line
    assert "不计入期限" in line  # the whole reason, with its article, on hover
    header = html[html.index('class="cg-page-header"'):]
    assert "data-paused" in header[:header.index("</header>")]  # the page header says so too
    # The task page's case header, for whoever works the supplement.
    supplement = item_named(web_db, case_id, "supplement")
    task_html = signed_in(app, "sup").get(f"/tasks/{supplement.id}").get_data(as_text=True)
    header = task_html[task_html.index('id="cg-case-header"'):task_html.index("</dl>", task_html.index('id="cg-case-header"'))]
    assert "案件时限" in header and "暂停计时（等待申请人补正材料" in header
    assert "暂停计时（等待申请人补正材料" in header.split("案件时限")[1]
    top = task_html[task_html.index('class="cg-page-header"'):]
    assert "data-paused" in top[:top.index("</header>")] and "无时限" not in top[:top.index("</header>")]


def test_the_inbox_pause_filter_finds_the_steps_of_a_paused_case_and_the_lists_say_it_is_paused(app, web_db):
    paused = _waiting_for_supplement(web_db)
    running = _apply(web_db)
    client = signed_in(app, "sup")
    found = client.get("/?view=all&sla_state=paused").get_data(as_text=True)
    assert f"/cases/{paused}\"" in found and f"/cases/{running}\"" not in found
    assert "暂停计时（等待申请人补正材料" in found
    everything = client.get("/?view=all").get_data(as_text=True)
    assert f"/cases/{running}\"" in everything
    cases = client.get("/cases").get_data(as_text=True)
    row = cases[cases.index(f"/cases/{paused}\""):]
    assert 'data-paused' in row[:row.index("</tr>")]
    other = cases[cases.index(f"/cases/{running}\""):]
    assert 'data-paused' not in other[:other.index("</tr>")]


def test_the_api_case_detail_carries_the_pause_the_case_page_shows_and_none_for_a_running_case(app, web_db):
    paused, running = _waiting_for_supplement(web_db), _apply(web_db)
    headers = bearer(web_db, "sup")
    detail = app.test_client().get(f"/api/v1/cases/{paused}", headers=headers).get_json()
    pause = detail["deadline_marks"]["pause"]
    with web_db.transaction(readonly=True) as session:
        shown = pause_of(session, session.get(Case, paused))  # what the case page's line reads
    assert shown is not None and pause["reason"] == shown.reason and pause["reason"].startswith("等待申请人补正材料")
    assert datetime.fromisoformat(pause["since"]) == shown.since
    assert pause["remaining_working_days"] == shown.remaining_working_days
    assert detail["due_at"] is not None  # the last deadline, which the pause says is not running
    other = app.test_client().get(f"/api/v1/cases/{running}", headers=headers).get_json()
    assert other["deadline_marks"] == {"pause": None, "provisional_years": [], "task_provisional_years": {}}
    spec = app.test_client().get("/api/v1/openapi.json", headers=headers).get_json()
    marks = spec["components"]["schemas"]["DeadlineMarks"]["properties"]
    assert {"pause", "provisional_years", "task_provisional_years"} <= set(marks)
    assert "deadline_marks" in spec["components"]["schemas"]["CaseDetail"]["required"]


def test_the_api_case_detail_marks_a_provisional_deadline_as_the_case_page_does(app, web_db):
    case_id = _deciding(web_db)
    decide = item_named(web_db, case_id, "decide")
    with web_db.transaction() as session:
        for clock in session.query(SlaClock).filter_by(case_id=case_id):
            clock.provisional, clock.missing_years = clock.work_item_id == decide.id, [2027]
        case = session.get(Case, case_id)
        case.due_at = session.query(SlaClock).filter_by(work_item_id=decide.id).one().due_at
    marks = app.test_client().get(f"/api/v1/cases/{case_id}", headers=bearer(web_db, "sup")).get_json()["deadline_marks"]
    assert marks["task_provisional_years"] == {decide.id: [2027]}
    assert marks["provisional_years"] == [2027] and marks["pause"] is None


def _step_figures(html: str, step: str) -> dict[str, int]:
    """The dashboard's figures of one step (its row in the table of steps)."""
    table = html[html.index('id="cg-steps"'):]
    row = table[table.index(f'<tr data-step="{step}">'):]
    cells = re.findall(r'<td class="cg-num">(\d+)</td>|<td class="cg-num cg-sla-overdue-text">(\d+)</td>',
                       row[:row.index("</tr>")])
    return dict(zip(("open", "at_risk", "overdue", "paused"), (int(a or b) for a, b in cells), strict=False))


def test_the_dashboard_counts_the_step_of_a_paused_case_under_paused_and_never_lists_it_as_overdue(app, web_db):
    case_id = _waiting_for_supplement(web_db)  # the supplement step has no limit of its own
    client = signed_in(app, "sup")
    assert _step_figures(client.get("/dashboard").get_data(as_text=True), "supplement") == \
        {"open": 1, "at_risk": 0, "overdue": 0, "paused": 1}
    # A step of a paused case that has a deadline of its own, past: its case's limits still stand still.
    supplement = item_named(web_db, case_id, "supplement")
    with web_db.transaction() as session:
        session.get(type(supplement), supplement.id).due_at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    html = client.get("/dashboard").get_data(as_text=True)
    assert _step_figures(html, "supplement")["paused"] == 1 and _step_figures(html, "supplement")["overdue"] == 0
    overdue = html[html.index('id="cg-overdue"'):]
    assert f"/tasks/{supplement.id}" not in overdue[:overdue.index("</table>")]


def test_the_map_draws_a_paused_case_as_paused_with_its_reason_not_overdue_by_its_kept_deadline(app, web_db):
    paused, late = _waiting_for_supplement(web_db), _apply(web_db)
    past = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    with web_db.transaction() as session:
        for case_id in (paused, late):  # drawn in a grid cell, past the deadline their rows keep
            case = session.get(Case, case_id)
            case.grid_cell, case.due_at = "S01C01G01", past
        keys = {session.get(Case, paused).business_key: "paused", session.get(Case, late).business_key: "overdue"}
    html = signed_in(app, "sup").get("/map").get_data(as_text=True)
    payload = json.loads(re.search(r'<script type="application/json" id="cg-map-data">(.*?)</script>', html,
                                   re.S).group(1))
    points = {p["key"]: p for p in payload["map"]["points"] if p["key"] in keys}
    assert {key: p["sla"] for key, p in points.items()} == keys
    paused_point = next(p for p in points.values() if p["sla"] == "paused")
    assert paused_point["pause"].startswith("暂停计时（等待申请人补正材料，自 ")
    assert payload["map"]["legend"]["paused"] == 1 and payload["texts"]["paused"] == "暂停计时"
    assert '<span data-legend-count="paused">1</span>' in html
    cell = next(c for c in payload["map"]["cells"] if c["name"] == "S01C01G01")
    assert (cell["value"], cell["overdue"]) == (2, 1)  # only the running one is late


def test_a_resumed_case_reads_its_running_deadline_again(app, web_db):
    case_id = _waiting_for_supplement(web_db)
    work(web_db, case_id, "supplement", {"materials_supplemented": ["id_card", "premises_layout", "food_safety_rules",
                                                                    "staff_health_certs"]}, WINDOW)
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "暂停计时（" not in html and re.search(r"案件时限: \d{4}-\d\d-\d\d \d\d:\d\d", _case_deadline(html))


def test_a_deadline_over_a_year_without_an_official_holiday_calendar_is_marked_provisional_everywhere(app, web_db):
    case_id = _deciding(web_db)
    decide = item_named(web_db, case_id, "decide")
    with web_db.transaction() as session:
        clock = session.query(SlaClock).filter_by(work_item_id=decide.id).one()
        clock.provisional, clock.missing_years = True, [2027]  # whatever calendar the test database holds
    client = signed_in(app, "sup")
    mark = "（暂定：2027 年节假日安排未发布）"
    case_html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert mark in case_html and 'data-provisional="2027"' in case_html and "周末" in case_html
    task_html = client.get(f"/tasks/{decide.id}").get_data(as_text=True)
    assert mark in task_html[task_html.index('id="cg-case-header"'):]
    inbox = client.get("/?view=all").get_data(as_text=True)
    row = inbox[inbox.index(f"/tasks/{decide.id}\""):]
    assert mark in row[:row.index("</tr>")]
    with client.session_transaction() as flask_session:
        flask_session["locale"] = "en"
    english = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "(provisional: the 2027 public holiday schedule is not published)" in english


def test_a_deadline_with_an_official_calendar_carries_no_provisional_mark(app, web_db):
    case_id = _deciding(web_db)
    decide = item_named(web_db, case_id, "decide")
    with web_db.transaction() as session:
        for clock in session.query(SlaClock).filter_by(case_id=case_id):
            clock.provisional, clock.missing_years = False, []
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "暂定" not in html and "data-provisional" not in html
    assert decide.due_at is not None


def test_a_pause_line_names_the_first_clause_of_the_processs_reason_and_nothing_for_the_default_reason():
    from datetime import UTC, datetime

    from engine.sla.case_marks import PauseMark, _mark
    from engine.sla.case_pauses import DEFAULT_PAUSE_REASON
    from engine.store.models.sla import SlaCasePause

    at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert PauseMark(at, "现场核查，不计入期限（行政许可法第四十五条）").short_reason == "现场核查"
    assert PauseMark(at, "专家评审").short_reason == "专家评审"
    # The flag set without sla_pause_reason leaves a code in the ledger: no words, not the code, on a page.
    assert _mark(SlaCasePause(case_id=1, paused_at=at, reason=DEFAULT_PAUSE_REASON)).reason == ""


@pytest.mark.parametrize(("locale", "days", "expected"), [
    ("zh", 3, "暂停计时（专家评审，自 12月7日 10:00 起，剩余 3 个工作日）"),
    ("zh", 1, "剩余 1 个工作日"),
    ("en", 1, ", 1 working day left)"),
    ("en", 4, ", 4 working days left)"),
])
def test_a_pause_line_counts_the_working_days_its_limits_have_left(app, locale, days, expected):
    from datetime import UTC, datetime

    from engine.sla.case_marks import PauseMark
    from web.i18n import pause_text

    this_year = datetime.now(UTC).year
    mark = PauseMark(datetime(this_year, 12, 7, 2, 0, tzinfo=UTC), "专家评审", remaining_working_days=days)
    with app.test_request_context():
        from flask import session
        session["locale"] = locale
        assert expected in pause_text(mark)
