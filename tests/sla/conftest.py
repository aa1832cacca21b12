"""Fixtures for the time-limit tests: the demo process and policies deployed, users to notify."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.org.service import load_organisation
from engine.store.database import Database
from engine.store.models.org import User, UserRole
from tests.core.helpers import shipped_roles

FIXTURES = Path(__file__).parent / "fixtures"
SH = ZoneInfo("Asia/Shanghai")
USERS = {
    "sup1": (None, [("supervisor", None)]),
    "head_cg": ("chengguan", [("department_head", None)]),
    "h1": ("chengguan", [("handler", None)]),
    "clerk": ("chengguan", [("handler", None)]),
}


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


def demo_bundle(policy_text: str | None = None) -> Bundle:
    return Bundle({
        "processes/sla_demo.bpmn": (FIXTURES / "sla_demo.bpmn").read_text(encoding="utf-8"),
        "processes/wake.bpmn": (FIXTURES / "wake.bpmn").read_text(encoding="utf-8"),
        "forms/sla_demo_step.json": (FIXTURES / "sla_demo_step.json").read_text(encoding="utf-8"),
        "rules/sla/sla_demo.yaml": policy_text or (FIXTURES / "sla_demo.yaml").read_text(encoding="utf-8"),
    })


def prepare(database: Database) -> Database:
    with database.transaction() as session:
        load_organisation(session, shipped_roles())
        for name, (department, roles) in USERS.items():
            session.add(User(username=name, display_name=name, department=department,
                             roles=[UserRole(role=r, scope=s) for r, s in roles]))
        session.flush()
        deploy(session, demo_bundle(), actor="test")
    return database


@pytest.fixture
def sla_db(db: Database) -> Database:
    return prepare(db)
