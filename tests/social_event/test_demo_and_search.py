"""`casegrid init --demo` leaves a living district; case search reads the case projection."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.cases.queries import CaseSearch, search_cases
from engine.config import PROJECT_ROOT
from engine.demo.emergency import ALARMS
from engine.demo.licensing import APPLICATIONS
from engine.demo.social_event import CASES, seed_demo_cases
from engine.errors import InvalidInput
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.org import OrgUnit, User
from engine.store.models.tasks import WorkItem


def test_demo_seeding_leaves_the_organisation_and_cases_in_every_step_and_is_idempotent(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        # Social events only: the two emergency-category demo cases each start a linked emergency case (issue 6).
        statuses = dict(session.execute(select(Case.status, func.count()).where(Case.process_key == "social_event")
                                        .group_by(Case.status)).all())
        steps = set(session.scalars(select(WorkItem.task_spec).where(WorkItem.status == "open")))
        streets = session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == "street"))
        users = session.scalar(select(func.count()).select_from(User))
        overdue = session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.status == "open", WorkItem.due_at < datetime.now(UTC)))
    assert sum(statuses.values()) == len(CASES) >= 30
    assert statuses["completed"] >= 5 and statuses["cancelled"] >= 1 and statuses["running"] >= 20
    assert {"register", "dispatch", "handle", "feedback", "assist [child]", "arbitrate", "review_extension",
            "verify", "rework", "close", "evaluate"} <= steps
    assert streets >= 4 and users >= 50 and overdue >= 3
    assert seed_demo_cases(demo_db) == 0
    with demo_db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case).where(Case.process_key == "social_event")) == len(CASES)


def test_init_demo_from_the_command_line_is_idempotent(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine import config
    from engine.app import cli

    monkeypatch.setattr(cli, "_db", lambda: db)
    monkeypatch.setattr(cli, "settings", lambda: config.load_settings({"CASEGRID_DEFINITIONS": str(PROJECT_ROOT)}))
    first = CliRunner().invoke(cli.main, ["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert f"demo cases: {len(CASES) + len(APPLICATIONS) + len(ALARMS)}" in first.output
    second = CliRunner().invoke(cli.main, ["init", "--demo"])
    assert second.exit_code == 0 and "demo cases: 0" in second.output


def test_case_search_filters_by_street_category_class_status_department_and_pages(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        admin = actor_for(session, "supervisor1")
        # The two emergency-category demo cases started linked emergency cases (issue 6): social events only.
        every = search_cases(session, admin, CaseSearch(process_key="social_event"), per_page=10)
        assert every.total == len(CASES) and len(every.items) == 10 and every.pages == 4
        page4 = search_cases(session, admin, CaseSearch(process_key="social_event"), page=4, per_page=10)
        assert len(page4.items) == len(CASES) - 30
        assert all(c.street == "S03" for c in search_cases(session, admin, CaseSearch(street="S03")).items)
        incidents = search_cases(session, admin, CaseSearch(category="05")).items
        assert incidents and all(c.category.startswith("05") for c in incidents)
        assert all(c.status == "cancelled" for c in search_cases(session, admin, CaseSearch(status="cancelled")).items)
        one = every.items[0]
        assert search_cases(session, admin, CaseSearch(business_key=one.business_key)).items == [one]
        by_text = search_cases(session, admin, CaseSearch(text="井盖")).items
        assert [c.title for c in by_text] == ["罗湖社区井盖缺失"]
        huanwei = search_cases(session, admin, CaseSearch(department="huanwei")).items
        assert huanwei and all(c.department == "huanwei" for c in huanwei)
        future = datetime.now(UTC) + timedelta(days=1)
        assert search_cases(session, admin, CaseSearch(opened_from=future)).total == 0
        aged = search_cases(session, admin, CaseSearch(opened_to=datetime.now(UTC) - timedelta(days=1))).total
        assert aged >= 3


def test_case_search_shows_a_handler_only_cases_of_their_department(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session:
        handler = actor_for(session, "yuanlin_h1")
        found = search_cases(session, handler, CaseSearch()).items
        assert found
        for case in found:
            assert case.department == "yuanlin" or any(
                i.department == "yuanlin" for i in session.scalars(select(WorkItem).where(WorkItem.case_id == case.id)))


def test_a_bad_case_search_is_refused_with_field_errors(demo_db: Database) -> None:
    with demo_db.transaction(readonly=True) as session, pytest.raises(InvalidInput) as refused:
        now = datetime.now(UTC)
        search_cases(session, actor_for(session, "admin"), CaseSearch(status="open", opened_from=now, opened_to=now),
                     page=0, per_page=500)
    assert set(refused.value.details) == {"status", "opened_to", "page", "per_page"}
