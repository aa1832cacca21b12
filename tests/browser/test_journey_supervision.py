"""Journey 2: a supervisor finds an overdue case on the dashboard and urges it (督办); the handler sees it.

The case is made overdue by data seeding (its open task's deadline moved into the past), not by waiting.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("playwright", reason="the playwright Python package is not installed")

from browsertools import flash_text  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.cases.service import start_case  # noqa: E402
from engine.commands.tasks import claim, complete  # noqa: E402
from engine.demo.social_event import handler_of  # noqa: E402
from engine.org.service import actor_for  # noqa: E402
from engine.store.models.sla import Notification, Urging  # noqa: E402
from engine.store.models.tasks import WorkItem  # noqa: E402

MESSAGE = "请今日内处置完毕并反馈"


def _overdue_case_at_handle(demo_db) -> tuple[int, str, str]:
    """A reported, registered, dispatched case whose handler claimed it; its deadline passed 3 hours ago."""
    with demo_db.transaction() as session:
        reporter = actor_for(session, "gw_s02c01g01")
        case = start_case(session, "social_event", {
            "title": "浏览器测试：黄贝岭路灯不亮", "category": "0104", "grid_cell": "S02C01G01",
            "address": "黄贝岭村中路3号", "description": "路面油污大面积未清扫", "report_channel": "grid_worker"}, reporter)
        dispatcher = actor_for(session, "dispatcher1")
        for spec, data in (("register", {"register_decision": "register"}), ("dispatch", {"dispatch_choice": "accept"})):
            item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.task_spec == spec,
                                                          WorkItem.status == "open")).one()
            claim(session, dispatcher, item.id)
            complete(session, dispatcher, item.id, data)
        item = session.scalars(select(WorkItem).where(WorkItem.case_id == case.id, WorkItem.status == "open")).one()
        handler = handler_of(item.department)
        claim(session, actor_for(session, handler), item.id)
        # The seeding: the deadline is 3 hours gone, as if the handler had sat on it.
        now = datetime.now(UTC)
        item.created_at = now - timedelta(days=3)
        item.due_at = now - timedelta(hours=3)
        return case.id, case.business_key, handler


def test_a_supervisor_urges_an_overdue_case_from_the_dashboard_and_its_handler_is_told(journey, demo_db):
    case_id, business_key, handler = _overdue_case_at_handle(demo_db)

    supervisor = journey.sign_in("supervisor1")
    supervisor.click("nav.cg-nav a[href='/dashboard']")
    expect(supervisor.locator("#cg-trend-chart[data-rendered=true]")).to_be_visible()
    row = supervisor.locator(f"#cg-overdue tr[data-case='{business_key}']")
    expect(row).to_be_visible()
    journey.shot(supervisor, "dashboard-shows-overdue-case")
    overdue_kpi = int(supervisor.locator("[data-kpi=overdue]").inner_text())
    assert overdue_kpi >= 1

    row.locator("input[name=message]").fill(MESSAGE)
    with supervisor.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "督办" in flash_text(supervisor) or "Urged" in flash_text(supervisor)
    expect(supervisor.locator("#cg-urgings")).to_contain_text(MESSAGE)
    journey.shot(supervisor, "supervisor-urged")

    with demo_db.transaction(readonly=True) as session:
        urgings = session.scalars(select(Urging).where(Urging.case_id == case_id)).all()
        told = session.scalars(select(Notification.recipient).where(
            Notification.case_id == case_id, Notification.kind == "urging")).all()
    assert [(u.urged_by, u.message) for u in urgings] == [("supervisor1", MESSAGE)]
    assert told == [handler]

    worker = journey.sign_in(handler)
    worker.click("nav.cg-nav a[href='/notifications']")
    notice = worker.locator("#cg-notifications li[data-kind=urging]", has_text=business_key)
    expect(notice).to_contain_text(MESSAGE)
    journey.shot(worker, "handler-sees-urging")
    notice.locator("a").first.click()
    worker.wait_for_url("**/tasks/**")
    expect(worker.locator("h1")).to_be_visible()
    journey.shot(worker, "handler-opens-the-urged-task")
    assert not journey.console_errors, journey.console_errors


def test_an_urging_of_one_long_unbroken_word_wraps_on_the_dashboard_and_in_notifications(journey, demo_db):
    from engine.commands.supervision import urge
    from engine.sla.notify import notify
    from engine.store.models.cases import Case

    pasted = "https://example.invalid/" + "x" * 900  # a pasted link: no space to break at
    with demo_db.transaction() as session:
        case_id = session.scalars(select(Case.id).where(Case.status == "running").order_by(Case.id)).first()
        urge(session, actor_for(session, "supervisor1"), case_id, pasted)  # on the dashboard's recent urgings
        notify(session, ["supervisor2"], "urging", f"督办: {pasted}", case_id=case_id)  # and to be read
    for phone in (False, True):
        page = journey.sign_in("supervisor2", phone=phone)
        for path in ("/dashboard", "/notifications"):
            page.goto(path)
            expect(page.locator("main")).to_contain_text("x" * 50)
            width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert width[0] <= width[1], f"{path} is {width[0]}px wide in a {width[1]}px window"
        journey.shot(page, "long-urging-phone" if phone else "long-urging")
