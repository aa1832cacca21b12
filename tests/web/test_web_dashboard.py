"""The supervisor dashboard: who sees it, what it counts, and its actions (督办, extension decisions),
each held to the departments the user oversees and refused without a CSRF token."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from webtools import PASSWORD, csrf_from, signed_in

from engine.commands.tasks import complete
from engine.definitions.service import deploy
from engine.org.config import OrgConfig, UserSpec
from engine.org.service import actor_for, load_organisation
from engine.sla.services import request_extension
from engine.store.database import Database
from engine.store.models.sla import Notification, SlaExtension, Urging
from engine.store.models.tasks import WorkItem
from tests.conftest import built_from, built_once, sqlite_database_from
from tests.sla.conftest import demo_bundle
from tests.sla.helpers import start_demo


def _add_heads_and_the_time_limit_demo(database: Database) -> None:
    heads = [UserSpec(f"head_{d[:2]}", f"HEAD {d}", d, PASSWORD, "zh", (("department_head", None),))
             for d in ("chengguan", "huanwei")]
    with database.transaction() as session:
        load_organisation(session, OrgConfig(users=heads))
        deploy(session, demo_bundle(), actor="test")


@pytest.fixture(scope="session")
def sla_web_template(web_template: Path, run_folder: Path) -> Path:
    return built_once(run_folder, "sla-web.sqlite3", built_from(web_template, _add_heads_and_the_time_limit_demo))


@pytest.fixture
def web_db(sla_web_template: Path, tmp_path: Path) -> Iterator[Database]:
    """Every test of this module: the web fixture plus the time-limit demo process (handling in chengguan,
    4 working hours) and two department heads, built once per run."""
    yield from sqlite_database_from(sla_web_template, tmp_path)


@pytest.fixture
def sla_web(web_db: Database) -> Database:
    return web_db


def _at_handle(db: Database, overdue: bool = True) -> tuple[int, str]:
    """An sla_demo case at 'handle' (chengguan), claimed by h_cg; its deadline 2 hours gone when overdue."""
    case_id = start_demo(db)
    with db.transaction() as session:
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()
        complete(session, actor_for(session, "h_cg"), item.id, {})
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()
        item.assignee = "h_cg"
        if overdue:  # data seeding instead of waiting four working hours
            item.due_at = datetime.now(UTC) - timedelta(hours=2)
        return case_id, item.id


def _count(db: Database, model, **where) -> int:  # type: ignore[no-untyped-def]
    with db.transaction(readonly=True) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query) or 0


@pytest.mark.parametrize(("username", "status"), [("gw1", 403), ("h_cg", 403), ("ana", 403), ("sup", 200),
                                                  ("adm", 200), ("head_ch", 200)])
def test_only_supervisors_department_heads_and_admins_see_the_dashboard(app, sla_web, username, status):
    assert signed_in(app, username).get("/dashboard").status_code == status


def test_everyone_signed_in_has_notifications_and_nobody_else(app, client):
    assert signed_in(app, "gw1").get("/notifications").status_code == 200
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.location


def test_an_overdue_case_is_listed_and_counted_by_department_and_step(app, sla_web):
    case_id, _item = _at_handle(sla_web)
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    assert f'action="/dashboard/cases/{case_id}/urge"' in html
    assert 'data-department="chengguan"' in html and 'data-step="handle"' in html
    assert 'data-kpi="overdue">1<' in html


def test_a_case_within_its_limit_is_not_listed_as_overdue(app, sla_web):
    case_id, _item = _at_handle(sla_web, overdue=False)
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/cases/{case_id}/urge" not in html


def test_urging_from_the_dashboard_is_recorded_and_the_handler_reads_it_in_notifications(app, sla_web):
    case_id, _item = _at_handle(sla_web)
    sup = signed_in(app, "sup")
    token = csrf_from(sup.get("/dashboard").get_data(as_text=True))
    response = sup.post(f"/dashboard/cases/{case_id}/urge",
                        data={"csrf_token": token, "message": "今日办结", "next": "/dashboard?days=7"})
    assert response.status_code == 302 and response.location.endswith("/dashboard?days=7")
    with sla_web.transaction(readonly=True) as session:
        urging = session.scalars(select(Urging).where(Urging.case_id == case_id)).one()
        note = session.scalars(select(Notification).where(Notification.case_id == case_id,
                                                          Notification.kind == "urging")).one()
    assert (urging.urged_by, urging.message, urging.department) == ("sup", "今日办结", "chengguan")
    assert note.recipient == "h_cg"

    handler = signed_in(app, "h_cg")
    page = handler.get("/notifications").get_data(as_text=True)
    assert "今日办结" in page and "SUP:" in page and ">督办<" in page  # the urger by name, the kind in words
    token = csrf_from(page)
    # Somebody else cannot mark the handler's notification read.
    other = signed_in(app, "h_cg2")
    assert other.post(f"/notifications/{note.id}/read",
                      data={"csrf_token": csrf_from(other.get("/notifications").get_data(as_text=True))}
                      ).status_code == 404
    assert handler.post(f"/notifications/{note.id}/read", data={"csrf_token": token}).status_code == 302
    assert "今日办结" not in handler.get("/notifications").get_data(as_text=True)
    assert "今日办结" in handler.get("/notifications?all=1").get_data(as_text=True)


def test_an_urge_without_a_csrf_token_is_refused_and_records_nothing(app, sla_web):
    case_id, _item = _at_handle(sla_web)
    response = signed_in(app, "sup").post(f"/dashboard/cases/{case_id}/urge", data={"message": "快"})
    assert response.status_code == 400
    assert _count(sla_web, Urging) == 0 and _count(sla_web, Notification, kind="urging") == 0


def test_an_urge_without_a_message_is_refused_and_records_nothing(app, sla_web):
    case_id, _item = _at_handle(sla_web)
    sup = signed_in(app, "sup")
    token = csrf_from(sup.get("/dashboard").get_data(as_text=True))
    assert sup.post(f"/dashboard/cases/{case_id}/urge", data={"csrf_token": token, "message": " "}).status_code == 302
    assert _count(sla_web, Urging) == 0


def test_a_department_head_sees_and_urges_only_their_own_department(app, sla_web):
    case_id, _item = _at_handle(sla_web)
    other = signed_in(app, "head_hu")
    html = other.get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/cases/{case_id}/urge" not in html and 'data-department="chengguan"' not in html
    response = other.post(f"/dashboard/cases/{case_id}/urge", data={"csrf_token": csrf_from(html), "message": "快"})
    assert response.status_code == 404  # another department's case does not exist for them
    assert _count(sla_web, Urging) == 0

    own = signed_in(app, "head_ch")
    html = own.get("/dashboard").get_data(as_text=True)
    assert f"/dashboard/cases/{case_id}/urge" in html
    assert own.post(f"/dashboard/cases/{case_id}/urge",
                    data={"csrf_token": csrf_from(html), "message": "快"}).status_code == 302
    assert _count(sla_web, Urging) == 1


def test_an_extension_is_approved_from_the_dashboard_and_the_deadline_moves(app, sla_web):
    case_id, item_id = _at_handle(sla_web, overdue=False)
    with sla_web.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey").id
        before = session.get(WorkItem, item_id).due_at
    sup = signed_in(app, "sup")
    html = sup.get("/dashboard").get_data(as_text=True)
    assert f'data-extension="{extension_id}"' in html
    assert "2 个工作小时" in html and "working_hours" not in html  # in the limit's unit, as words
    assert "<td>H_CG</td>" in html and "<td>h_cg</td>" not in html  # the requester as colleagues know them
    token = csrf_from(html)
    url = f"/dashboard/extensions/{extension_id}/decision"
    # Rejecting needs a reason: refused, still pending.
    assert sup.post(url, data={"csrf_token": token, "decision": "reject"}).status_code == 302
    assert _count(sla_web, SlaExtension, status="pending") == 1
    assert sup.post(url, data={"csrf_token": token, "decision": "approve"}).status_code == 302
    with sla_web.transaction(readonly=True) as session:
        assert session.get(SlaExtension, extension_id).status == "approved"
        assert session.get(SlaExtension, extension_id).decided_by == "sup"
        assert session.get(WorkItem, item_id).due_at > before


def test_a_department_head_may_not_decide_another_departments_extension(app, sla_web):
    case_id, _item = _at_handle(sla_web, overdue=False)
    with sla_web.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey").id
    other = signed_in(app, "head_hu")
    token = csrf_from(other.get("/dashboard").get_data(as_text=True))
    response = other.post(f"/dashboard/extensions/{extension_id}/decision",
                          data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 403
    assert _count(sla_web, SlaExtension, status="pending") == 1


@pytest.mark.parametrize("query", ["days=3", "since=2026-05-02&until=2026-05-01", "since=yesterday"])
def test_a_bad_period_is_refused_with_field_errors(app, query):
    assert signed_in(app, "sup").get(f"/dashboard?{query}").status_code == 422


def test_an_explicit_period_of_local_dates_is_accepted(app):
    html = signed_in(app, "sup").get("/dashboard?since=2026-01-01&until=2026-01-31").get_data(as_text=True)
    assert "2026-01-01 00:00" in html


def test_the_extension_form_names_the_unit_of_the_tasks_limit(app, sla_web):
    _case_id, item_id = _at_handle(sla_web, overdue=False)
    page = signed_in(app, "h_cg").get(f"/tasks/{item_id}").get_data(as_text=True)
    assert "延长时间（工作小时）" in page


def test_a_request_whose_limit_ended_is_withdrawn_and_no_longer_offered_for_a_decision(app, sla_web):
    case_id, item_id = _at_handle(sla_web, overdue=False)
    with sla_web.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey").id
        complete(session, actor_for(session, "h_cg"), item_id, {})
    with sla_web.transaction(readonly=True) as session:
        assert session.get(SlaExtension, extension_id).status == "withdrawn"
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    assert f'data-extension="{extension_id}"' not in html
    assert f"/dashboard/extensions/{extension_id}/decision" not in html


def test_the_case_record_says_in_chinese_why_a_request_was_withdrawn(app, sla_web):
    case_id, item_id = _at_handle(sla_web, overdue=False)
    with sla_web.transaction() as session:
        request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey")
        complete(session, actor_for(session, "h_cg"), item_id, {})
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "延期申请已撤回（时限已结束）" in html and "理由: 时限已结束" in html
    assert "the time limit ended" not in html


def test_a_task_whose_extension_request_waits_offers_no_second_request(app, sla_web):
    case_id, item_id = _at_handle(sla_web, overdue=False)
    with sla_web.transaction() as session:
        request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey")
    page = signed_in(app, "h_cg").get(f"/tasks/{item_id}").get_data(as_text=True)
    assert f'action="/tasks/{item_id}/extension"' not in page
    assert "本任务的延期申请正在等待审批。" in page


def test_the_case_page_lists_a_limits_warning_by_task_and_its_deadline_once(app, sla_web):
    case_id, _item_id = _at_handle(sla_web, overdue=False)
    html = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    deadlines = html[html.index("时限</h2>"):]
    assert "预警 · " in deadlines and "到期 · " not in deadlines and "SLA" not in deadlines
    assert "（城市管理和综合执法局）:" in deadlines  # whose deadline, when several departments work at once


# --- the command centre's read-only overview; the period's errors beside its fields ---------------------

@pytest.fixture
def command_centre(sla_web: Database) -> Database:
    dispatcher = UserSpec("disp", "DISP", "zhihui", PASSWORD, "zh", (("dispatcher", None),))
    with sla_web.transaction() as session:
        load_organisation(session, OrgConfig(users=[dispatcher]))
    return sla_web


def test_the_command_centre_reaches_the_dashboard_from_its_navigation(app, command_centre):
    client = signed_in(app, "disp")
    assert 'href="/dashboard"' in client.get("/").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200


def test_the_command_centre_watches_every_department_but_neither_urges_nor_decides(app, command_centre):
    case_id, _item = _at_handle(command_centre)
    html = signed_in(app, "disp").get("/dashboard").get_data(as_text=True)
    assert 'data-kpi="overdue">1<' in html and 'data-department="chengguan"' in html
    assert "/urge" not in html and "/decision" not in html
    assert _count(command_centre, Urging) == 0


def test_the_dashboard_links_only_the_cases_its_reader_may_open(app, command_centre):
    case_id, item_id = _at_handle(command_centre)  # a chengguan case with no step at the command centre
    dispatcher = signed_in(app, "disp")
    html = dispatcher.get("/dashboard").get_data(as_text=True)
    assert 'data-case="' in html and f'href="/cases/{case_id}"' not in html and f'href="/tasks/{item_id}"' not in html
    assert dispatcher.get(f"/cases/{case_id}").status_code == 404
    assert f'href="/cases/{case_id}"' in signed_in(app, "sup").get("/dashboard").get_data(as_text=True)


def test_a_period_that_ends_before_it_starts_is_said_beside_the_end_date_over_the_default_figures(app, sla_web):
    response = signed_in(app, "sup").get("/dashboard?since=2026-12-10&until=2026-12-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-error-for="until" role="alert">截止日期不能早于起始日期。<' in html
    assert 'name="until" value="2026-12-01" aria-invalid="true"' in html
    assert 'id="cg-kpis"' in html and 'data-testid="period-fallback"' in html


def test_a_date_that_does_not_parse_is_said_beside_its_field(app, sla_web):
    response = signed_in(app, "sup").get("/dashboard?since=2026-13-45")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-error-for="since" role="alert">请输入有效日期，例如 2026-12-01。<' in html
    assert 'data-error-for="until"' not in html


@pytest.mark.parametrize("field, query", [("since", "since=0001-01-01"), ("until", "until=9999-12-31")])
def test_a_date_at_the_ends_of_the_calendar_is_said_beside_its_field_not_a_server_error(app, sla_web, field, query):
    response = signed_in(app, "sup").get(f"/dashboard?{query}")
    assert response.status_code == 422
    assert f'data-error-for="{field}" role="alert">请输入有效日期，例如 2026-12-01。<' in response.get_data(as_text=True)


def test_a_good_period_shows_no_error(app, sla_web):
    response = signed_in(app, "sup").get("/dashboard?since=2026-12-01&until=2026-12-10")
    assert response.status_code == 200 and "data-error-for" not in response.get_data(as_text=True)


def test_row_actions_keep_their_buttons_on_one_line():
    from engine.config import PROJECT_ROOT

    css = (PROJECT_ROOT / "web" / "static" / "css" / "studio.css").read_text(encoding="utf-8")
    assert re.search(r"\.cg-actions button[^{]*\{[^}]*white-space:\s*nowrap", css)
    assert re.search(r"\.cg-actions form\.cg-row-form\s*\{[^}]*flex-wrap:\s*nowrap", css)


def test_chart_legends_have_a_band_of_their_own_outside_the_plot():
    from engine.config import PROJECT_ROOT

    script = (PROJECT_ROOT / "web" / "static" / "js" / "dashboard-charts.js").read_text(encoding="utf-8")
    assert script.count("containLabel: true") == 2  # axis labels inside the grid, not under the legend
    assert 'legend([t.opened, t.onTime, t.late, t.rate], "bottom")' in script
    assert 'legend([t.open, t.atRisk, t.overdue], "top")' in script


def test_a_period_not_offered_is_said_beside_the_period_choice(app, sla_web):
    response = signed_in(app, "sup").get("/dashboard?days=3")
    assert response.status_code == 422
    assert 'data-error-for="days" role="alert">请选择列表中的统计周期。<' in response.get_data(as_text=True)


def test_the_headline_rate_counts_cases_and_the_tables_are_headed_as_step_figures(app, sla_web):
    _at_handle(sla_web)
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    for words in ("期间办结案件", "案件按期办结率", "各部门环节办理情况", "各环节办理情况", "环节按期完成率"):
        assert words in html, words
    assert "按期办结率</th>" not in html  # no table column claims to count cases


def test_an_overdue_task_of_a_role_not_a_department_names_the_role_not_unrouted(app, sla_web):
    # An extension's approval is a role's task with no department: the overdue list names who may take it.
    from engine.org.service import role_names

    case_id, item_id = _at_handle(sla_web)
    with sla_web.transaction() as session:
        item = session.get(WorkItem, item_id)
        item.department, item.role, item.assignee = None, "supervisor", None  # data seeding
        supervisor_zh = role_names(session)["supervisor"][0]
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    row = html[html.index('class="cg-row-overdue"'):]
    row = row[:row.index("</tr>")]
    assert f"<td>{supervisor_zh}</td>" in row and "未派遣" not in row


def test_steps_a_role_takes_in_no_department_are_named_so_in_the_table_and_chart_not_unrouted(app, sla_web):
    # The command centre's registration, a grid worker's check, a window's review: a role's steps with no
    # department. They were dispatched to a role; 未派遣 (not dispatched) misread them.
    import json

    _case_id, item_id = _at_handle(sla_web)
    with sla_web.transaction() as session:
        item = session.get(WorkItem, item_id)
        item.department, item.role = None, "supervisor"  # data seeding: a role's step
    html = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    row = html[html.index('<tr data-department="">'):]
    row = row[:row.index("</tr>")]
    assert "<td>按岗位办理（未指定部门）</td>" in row
    charts = json.loads(re.search(r'id="cg-chart-data">(.*?)</script>', html, re.S).group(1))
    assert "按岗位办理（未指定部门）" in charts["departments"] and "—" not in charts["departments"]
    assert "未派遣" not in html
    screen = signed_in(app, "sup").get("/screen/data.json").get_json()
    assert "按岗位办理（未指定部门）" in screen["screen"]["departments"]["names"]


def test_a_step_past_its_due_time_reads_overdue_in_the_inbox_and_its_filter_as_on_the_dashboard(app, sla_web):
    # An extension's review has a due time and no clock: no breach timer ever marks it. The dashboard counts
    # it overdue by its due time; the inbox showed 正常 · 已超期 and its 超期 filter left it out.
    case_id, item_id = _at_handle(sla_web)
    with sla_web.transaction() as session:
        session.get(WorkItem, item_id).sla_state = "none"  # data seeding: a due time without a clock
    client = signed_in(app, "h_cg")

    def row_of(html: str) -> str:
        row = html[:html.index(f"/tasks/{item_id}")]
        return html[row.rindex("<tr"):][:html[row.rindex("<tr"):].index("</tr>")]

    row = row_of(client.get("/").get_data(as_text=True))
    assert 'class="cg-row-overdue"' in row and "超期 · 已超期" in row and "正常" not in row
    assert f"/tasks/{item_id}" in client.get("/?sla_state=overdue").get_data(as_text=True)
    assert f"/tasks/{item_id}" not in client.get("/?sla_state=on_time").get_data(as_text=True)
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "正常 · 已超期" not in case_page and "超期 · 已超期" in case_page
    dashboard = signed_in(app, "sup").get("/dashboard").get_data(as_text=True)
    assert f'action="/dashboard/cases/{case_id}/urge"' in dashboard


def test_an_urge_or_a_decision_note_too_long_is_said_so_on_the_dashboard_and_changes_nothing(app, sla_web):
    # 5,000 characters pasted into the one-line fields: the dashboard says they are too long (it said
    # 请填写督办意见 to a full message, and a note too long ended on an error page naming no field).
    case_id, _item = _at_handle(sla_web)
    with sla_web.transaction() as session:
        extension_id = request_extension(session, case_id, actor_for(session, "h_cg"), 2, "site survey").id
    sup = signed_in(app, "sup")
    token = csrf_from(sup.get("/dashboard").get_data(as_text=True))
    urged = sup.post(f"/dashboard/cases/{case_id}/urge", data={"csrf_token": token, "message": "催" * 5000},
                     follow_redirects=True).get_data(as_text=True)
    assert "督办意见不能超过 1000 字。" in urged and "请填写督办意见" not in urged
    decided = sup.post(f"/dashboard/extensions/{extension_id}/decision",
                       data={"csrf_token": token, "decision": "reject", "note": "驳" * 5000}, follow_redirects=True)
    assert decided.status_code == 200 and "说明不能超过 1000 字。" in decided.get_data(as_text=True)
    assert _count(sla_web, Urging) == 0 and _count(sla_web, SlaExtension, status="pending") == 1
    tampered = sup.post(f"/dashboard/extensions/{extension_id}/decision",
                        data={"csrf_token": token, "decision": "maybe", "note": ""})
    assert tampered.status_code == 422 and _count(sla_web, SlaExtension, status="pending") == 1


def test_the_screens_escalations_say_whom_each_breach_was_reported_to(app, sla_web):
    # A breach goes to the department head and to the supervisors: the screen listed the same step twice.
    from engine.store.models.sla import Escalation

    case_id, item_id = _at_handle(sla_web)
    with sla_web.transaction() as session:
        for role in ("department_head", "supervisor"):  # data seeding: what a breach writes
            session.add(Escalation(case_id=case_id, work_item_id=item_id, task_name="办理", department="chengguan",
                                   target_role=role, reason="breach"))
    lines = signed_in(app, "sup").get("/screen/data.json").get_json()["screen"]["escalations"]
    assert sorted(line["to"] for line in lines) == ["上报督办员", "上报部门负责人"]


def test_the_case_timeline_says_whom_each_breach_was_reported_to(app, sla_web):
    from engine.audit.service import record

    case_id, item_id = _at_handle(sla_web)
    with sla_web.transaction() as session:
        for role in ("department_head", "supervisor"):  # data seeding: the audit lines a breach writes
            record(session, actor="system", action="sla_escalated", case_id=case_id, task_id=item_id,
                   task_name="办理", details={"to": role, "department": "chengguan"})
    page = signed_in(app, "sup").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "超期上报 · 办理 · 部门负责人" in page and "超期上报 · 办理 · 督办员" in page
