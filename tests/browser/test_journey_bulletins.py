"""Journey: the bulletins page (通报). A supervisor finds the month's bulletin the worker produced, produces the
week's street bulletin from the page and downloads it; a department head reads and downloads; a handler is
not offered the page."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from playwright.sync_api import expect  # noqa: E402

from engine.commands.bulletins import run_bulletin  # noqa: E402
from engine.org.access import system_actor  # noqa: E402
from engine.reporting.periods import period_containing  # noqa: E402
from engine.sla.calendar_store import calendar_for  # noqa: E402


def _this(kind: str, demo_db) -> str:
    with demo_db.transaction(readonly=True) as session:
        tz = calendar_for(session).tz
    return period_containing(kind, datetime.now(UTC).astimezone(tz).date()).label


def test_a_supervisor_produces_and_downloads_bulletins_and_a_handler_is_not_offered_them(journey, demo_db):
    with demo_db.transaction() as session:  # what the worker does when a period closes
        run_bulletin(session, system_actor(), "monthly_department_ranking", _this("monthly", demo_db))

    supervisor = journey.sign_in("supervisor1")
    supervisor.click("nav.cg-nav a[href='/bulletins']")
    table = supervisor.locator("table.cg-bulletins")
    expect(table).to_contain_text("罗湖区城市管理案件办理情况月度通报")
    expect(table).to_contain_text("阶段性")  # the month has not ended
    journey.shot(supervisor, "bulletins-list")

    supervisor.select_option("select[name=name]", "weekly_street_bulletin")
    supervisor.fill("input[name=period]", _this("weekly", demo_db))
    with supervisor.expect_navigation():
        supervisor.click("form[action$='/bulletins/run'] button[type=submit]")
    expect(supervisor.locator(".cg-flash")).to_contain_text("已生成：罗湖区各街道案件办理情况周通报")
    expect(table.locator("tbody tr")).to_have_count(2)
    journey.shot(supervisor, "weekly-bulletin-produced")
    with supervisor.expect_download() as download:
        table.locator("tbody tr", has_text="周通报").locator("a", has_text="PDF").first.click()
    path = download.value.path()
    assert path is not None and open(path, "rb").read(4) == b"%PDF"
    assert download.value.suggested_filename.startswith("weekly_street_bulletin-")

    head = journey.sign_in("chengguan_head")
    head.click("nav.cg-nav a[href='/bulletins']")
    expect(head.locator("table.cg-bulletins tbody tr")).to_have_count(2)
    expect(head.locator("form[action$='/bulletins/run']")).to_have_count(0)  # reads, does not produce
    with head.expect_download() as download:
        head.locator("table.cg-bulletins a", has_text="Excel").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    journey.shot(head, "department-head-reads-bulletins")

    handler = journey.sign_in("chengguan_h1")
    expect(handler.locator("nav.cg-nav a[href='/bulletins']")).to_have_count(0)
    handler.goto("/bulletins")
    expect(handler.locator("body")).to_contain_text("您的岗位不能查看通报")
    journey.shot(handler, "handler-refused")
    assert journey.console_errors == []
