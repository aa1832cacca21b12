"""A process and its steps read in English on English pages when the diagram gives them an English name
(spiffworkflow property nameEn), and as their Chinese name otherwise: Chinese pages never change, a step with
no English name falls back to its Chinese one, and a case on an older version reads the names its newer
version gives the same steps. Lists take the names from a cache per deployed version, never from a
workflow."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from webtools import FIXTURES, open_item, page_text, reading_in, start_report

from engine.commands.tasks import claim, complete
from engine.definitions import names as names_module
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.definitions import ProcessVersion

PROCESS_ZH, PROCESS_EN = "网页测试流程", "Web trial flow"
HANDLE_ZH, HANDLE_EN = "现场处置作业", "Handle on site"
VERIFY_ZH = "回访核实"  # given no English name


def _web_flow(english: bool) -> str:
    """The web tests' process with Chinese names; with `english`, the process and its handle step (not
    its verify step) also carry nameEn."""
    xml = (FIXTURES / "processes" / "web_flow.bpmn").read_text(encoding="utf-8")
    xml = xml.replace('name="Web test flow"', f'name="{PROCESS_ZH}"')
    xml = xml.replace('name="Handle"', f'name="{HANDLE_ZH}"').replace('name="Verify"', f'name="{VERIFY_ZH}"')
    if english:
        xml = xml.replace('<bpmn:laneSet id="lanes">', '<bpmn:extensionElements><spiffworkflow:properties>'
                          f'<spiffworkflow:property name="nameEn" value="{PROCESS_EN}" />'
                          '</spiffworkflow:properties></bpmn:extensionElements><bpmn:laneSet id="lanes">')
        xml = xml.replace('<spiffworkflow:property name="formKey" value="web_handle" />',
                          f'<spiffworkflow:property name="nameEn" value="{HANDLE_EN}" />'
                          '<spiffworkflow:property name="formKey" value="web_handle" />')
    return xml


def _deploy(web_db: Database, english: bool) -> None:
    with web_db.transaction() as session:
        deploy(session, Bundle({"processes/web_flow.bpmn": _web_flow(english)}), actor="ana")


def _handled(web_db: Database, case_id: int) -> None:
    item = open_item(web_db, case_id)
    with web_db.transaction() as session:
        claim(session, actor_for(session, "h_cg"), item.id)
    with web_db.transaction() as session:
        complete(session, actor_for(session, "h_cg"), item.id, {"result": "lamp fixed", "hours": 2})


@pytest.fixture
def english_case(web_db: Database) -> int:
    _deploy(web_db, english=True)
    return start_report(web_db)


def test_english_pages_show_the_english_process_and_task_names(app, web_db, english_case):
    client = reading_in(app, "h_cg", "en")
    inbox = page_text(client, "/?view=department")
    assert HANDLE_EN in inbox and HANDLE_ZH not in inbox
    case = page_text(client, f"/cases/{english_case}")
    assert PROCESS_EN in case and PROCESS_ZH not in case
    assert f"Current step: <strong>{HANDLE_EN}</strong>" in case
    assert HANDLE_ZH not in case  # the tasks table, the timeline ("Task opened · …"), the deadlines
    task = page_text(client, f"/tasks/{open_item(web_db, english_case).id}")
    assert f"<h1>{HANDLE_EN}</h1>" in task
    cases = page_text(client, "/cases")
    assert PROCESS_EN in cases and HANDLE_EN in cases and HANDLE_ZH not in cases


def test_chinese_pages_keep_the_chinese_names(app, web_db, english_case):
    client = reading_in(app, "h_cg", "zh")
    inbox = page_text(client, "/?view=department")
    assert HANDLE_ZH in inbox and HANDLE_EN not in inbox
    case = page_text(client, f"/cases/{english_case}")
    assert PROCESS_ZH in case and HANDLE_ZH in case
    assert PROCESS_EN not in case and HANDLE_EN not in case


def test_a_step_without_an_english_name_shows_its_chinese_name_in_english(app, web_db, english_case):
    _handled(web_db, english_case)
    client = reading_in(app, "sup", "en")
    case = page_text(client, f"/cases/{english_case}")
    assert f"Current step: <strong>{VERIFY_ZH}</strong>" in case
    assert HANDLE_EN in case  # the finished step in the tasks table and the timeline
    assert HANDLE_ZH not in case


def test_a_process_without_english_names_reads_as_written_in_english(app, web_db):
    _deploy(web_db, english=False)
    case_id = start_report(web_db)
    case = page_text(reading_in(app, "sup", "en"), f"/cases/{case_id}")
    assert PROCESS_ZH in case and f"Current step: <strong>{HANDLE_ZH}</strong>" in case


def test_a_case_on_an_older_version_reads_the_english_names_its_newer_version_gives(app, web_db):
    _deploy(web_db, english=False)
    older = start_report(web_db)
    _deploy(web_db, english=True)
    client = reading_in(app, "h_cg", "en")
    case = page_text(client, f"/cases/{older}")
    assert PROCESS_EN in case and f"Current step: <strong>{HANDLE_EN}</strong>" in case
    inbox = page_text(client, "/?view=department")
    assert HANDLE_EN in inbox and HANDLE_ZH not in inbox


def test_the_english_diagram_labels_the_elements_that_have_an_english_name(app, web_db, english_case):
    english = reading_in(app, "sup", "en").get(f"/cases/{english_case}/diagram.bpmn").get_data(as_text=True)
    assert f'id="handle" name="{HANDLE_EN}"' in english and f'name="{VERIFY_ZH}"' in english
    chinese = reading_in(app, "sup", "zh").get(f"/cases/{english_case}/diagram.bpmn").get_data(as_text=True)
    assert f'id="handle" name="{HANDLE_ZH}"' in chinese and f'name="{HANDLE_EN}"' not in chinese


def test_the_dashboard_and_the_map_filter_name_processes_and_steps_in_english(app, web_db, english_case):
    client = reading_in(app, "sup", "en")
    dashboard = page_text(client, "/dashboard")
    assert HANDLE_EN in dashboard and HANDLE_ZH not in dashboard  # the per-step table
    assert "Emergency linkage" in page_text(client, "/map")  # the business category filter: a shipped process


def test_list_pages_read_each_versions_names_once_and_chinese_pages_not_at_all(app, web_db, english_case,
                                                                                monkeypatch):
    names_module.clear_cache()
    reads: list[Any] = []
    read_names = names_module.read_names
    monkeypatch.setattr(names_module, "read_names", lambda xml, key: reads.append(key) or read_names(xml, key))
    english = reading_in(app, "h_cg", "en")
    page_text(english, "/?view=department")
    first = len(reads)
    with web_db.transaction(readonly=True) as session:
        versions = session.scalar(select(func.count()).select_from(ProcessVersion))
    assert first == versions  # each deployed version's file read once
    page_text(english, "/?view=department")
    page_text(english, "/cases")
    assert len(reads) == first  # then from the cache, whatever the number of rows

    def refuse(session: Any) -> Any:
        raise AssertionError("a Chinese page read the English names")

    chinese = [reading_in(app, "h_cg", "zh"), reading_in(app, "sup", "zh")]
    monkeypatch.setattr(names_module, "name_book", refuse)
    for path in ("/?view=department", "/cases", f"/cases/{english_case}"):
        page_text(chinese[0], path)
    page_text(chinese[1], "/dashboard")


def test_an_at_risk_notice_names_its_step_in_the_readers_language(app, web_db, english_case):
    from datetime import UTC, datetime, timedelta

    from flask import session

    from engine.sla.notify import DueNotice
    from engine.store.models.sla import Notification
    from web.dashboard.notices import notification_text

    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    notice = DueNotice("LH-1", HANDLE_ZH, now + timedelta(hours=1), True, None, "web_flow", "handle")
    stored = Notification(message=f"LH-1 {HANDLE_ZH}：将于 … 到期")
    with app.test_request_context():
        assert HANDLE_ZH in notification_text(stored, notice, now)
    with app.test_request_context():
        session["locale"] = "en"
        assert notification_text(stored, notice, now).startswith(f"LH-1 {HANDLE_EN}: due at")
