"""Over the seeded demo district, after the worker has fired what is due (issue 13, points 5 and 6):
every notification opens for the person it was sent to, a due time already passed reads 已于…超期, and
the dashboard's 期间办结 counts cases, not steps."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from webtools import login

from engine.commands.timers import fire_due
from engine.dashboard.view import dashboard
from engine.org.service import actor_for
from engine.sla.notify import DueNotice
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.sla import Notification
from engine.store.models.tasks import WorkItem
from tests.conftest import clear_engine_caches
from web import create_app
from web.dashboard.notices import notification_text

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml
LINK = re.compile(r'<a href="(/(?:tasks|cases)/[^"]+)">')


@pytest.fixture(scope="module")
def demo(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("demo_notices") / "demo.sqlite3"
    shutil.copy(demo_template, path)
    database = Database(f"sqlite:///{path}")
    clear_engine_caches()
    fire_due(database, "test-worker")  # the aged demo cases warn, breach and escalate as they would have
    yield database
    database.dispose()
    clear_engine_caches()


@pytest.fixture(scope="module")
def demo_app(demo: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": demo.url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))})
    yield app
    app.extensions["casegrid_db"].dispose()


def test_every_demo_notification_opens_for_the_user_it_was_sent_to(demo: Database, demo_app: Flask) -> None:
    with demo.transaction(readonly=True) as session:
        recipients = sorted(set(session.scalars(select(Notification.recipient))))
        sent = session.scalar(select(func.count()).select_from(Notification))
    assert recipients, "the seeded demo sends no notification: nothing would be checked"
    opened = 0
    for username in recipients:
        client = demo_app.test_client()
        assert login(client, username, DEMO_PASSWORD).status_code == 302
        page = client.get("/notifications?all=1")
        assert page.status_code == 200
        for link in LINK.findall(page.get_data(as_text=True)):
            answer = client.get(link)
            assert answer.status_code == 200, f"{username} cannot open {link}: {answer.status_code}"
            opened += 1
    assert opened == sent


def test_an_at_risk_notice_read_after_its_due_time_says_it_is_overdue(demo: Database, demo_app: Flask) -> None:
    now = datetime.now(UTC)
    notice = Notification(id=1, kind="sla_at_risk", message="LH-2026-000001 签收处置：将于 … 到期", recipient="x")
    due = now - timedelta(hours=2)
    with demo_app.test_request_context():
        passed = notification_text(notice, DueNotice("LH-2026-000001", "签收处置", due, True, None), now)
        coming = notification_text(notice, DueNotice("LH-2026-000001", "签收处置", now + timedelta(hours=2), True, None),
                                   now)
        done = notification_text(notice, DueNotice("LH-2026-000001", "签收处置", due, False, due), now)
    assert "已于" in passed and "超期" in passed and "将于" not in passed
    assert "将于" in coming and "到期" in coming
    assert "办理完毕" in done


def test_a_notice_about_one_agencys_step_names_the_agency_in_the_readers_language(demo_app: Flask) -> None:
    now = datetime.now(UTC)
    notice = Notification(id=1, kind="sla_at_risk", message="LH-2026-000046 接警确认（消防救援大队）：将于 … 到期",
                          recipient="x")
    due = now - timedelta(minutes=2)
    with demo_app.test_request_context():
        text = notification_text(notice, DueNotice("LH-2026-000046", "接警确认", due, True, None, department="xiaofang"), now)
        alone = notification_text(notice, DueNotice("LH-2026-000046", "书面报告（初报）", due, True, None), now)
    assert text.startswith("LH-2026-000046 接警确认（消防救援大队）：已于")
    assert alone.startswith("LH-2026-000046 书面报告（初报）：已于")


def test_the_demo_at_risk_notices_past_their_due_time_read_overdue(demo: Database, demo_app: Flask) -> None:
    with demo.transaction(readonly=True) as session:
        late = session.execute(select(Notification.recipient, WorkItem.task_name)
                               .join(WorkItem, WorkItem.id == Notification.work_item_id)
                               .where(Notification.kind == "sla_at_risk", WorkItem.status == "open",
                                      WorkItem.due_at < datetime.now(UTC))).first()
    if late is None:
        pytest.skip("no at-risk notice of the demo is past its due time")
    client = demo_app.test_client()
    assert login(client, late.recipient, DEMO_PASSWORD).status_code == 302
    text = client.get("/notifications?all=1").get_data(as_text=True)
    assert f"{late.task_name}：已于" in text


def test_closed_in_period_counts_cases_closed_in_the_period_not_their_steps(demo: Database) -> None:
    now = datetime.now(UTC)
    since = now - timedelta(days=30)
    with demo.transaction(readonly=True) as session:
        closed_cases = session.scalar(select(func.count()).select_from(Case).where(
            Case.status == "completed", Case.closed_at >= since))
        view = dashboard(session, actor_for(session, "supervisor1"), now, since, now + timedelta(seconds=1), UTC)
    assert closed_cases and view.totals["closed"] == closed_cases
    assert view.totals["steps_closed"] > closed_cases  # each closed case took several steps
