"""Helpers the engine tests share: deploy the two-step fixture, act as a user, count rows."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_paths, load_root
from engine.definitions.service import deploy
from engine.org.access import Actor
from engine.org.config import ORGANISATION_FILE, OrgConfig, UnitSpec, parse_organisation
from engine.org.service import load_organisation
from engine.store.database import Database

FIXTURES = Path(__file__).parent / "fixtures"

DISPATCHER = Actor("disp1", None, frozenset({("dispatcher", None)}))
HANDLER_CG = Actor("cg1", "chengguan", frozenset({("handler", None)}))
HANDLER_HW = Actor("hw1", "huanwei", frozenset({("handler", None)}))


def test_org() -> OrgConfig:
    org = OrgConfig()
    shipped = parse_organisation((PROJECT_ROOT / ORGANISATION_FILE).read_text(encoding="utf-8"))
    for code in ("dispatcher", "handler", "grid_worker", "supervisor"):
        org.roles[code] = (code, code)
        org.access[code] = shipped.access[code]  # what the role sees, as the district declares it
    for code in ("chengguan", "huanwei"):
        org.units[code] = UnitSpec(code, "department", code)
    return org


def shipped_roles() -> OrgConfig:
    """The district's roles with what each declares it sees, oversees and may use; no units or users."""
    shipped = parse_organisation((PROJECT_ROOT / ORGANISATION_FILE).read_text(encoding="utf-8"))
    return OrgConfig(roles=shipped.roles, access=shipped.access)


def two_step_bundle() -> Bundle:
    return load_root(PROJECT_ROOT).overlay(load_paths([FIXTURES / "two_step"]))


def deploy_two_step(db: Database, bundle: Bundle | None = None) -> None:
    with db.transaction() as session:
        load_organisation(session, test_org())
        deploy(session, bundle or two_step_bundle(), actor="test")


def count(db: Database, model: Any, *where: Any) -> int:
    with db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def shipped_actor(username: str, department: str | None, *roles: str) -> Actor:
    """An actor holding shipped roles (unscoped) with what the district declares for them: reach and abilities."""
    access = shipped_roles().access
    return Actor(username, department, frozenset((role, None) for role in roles),
                 reach=frozenset((role, access[role].sees, access[role].oversees) for role in roles),
                 abilities=frozenset(ability for role in roles for ability in access[role].may))


def run_every_shipped_scenario() -> None:
    """Run every scenario in scenarios/ on a fresh database of its own; each must pass (tests that check a
    rule at every step of every shipped process hook the engine, then call this)."""
    from engine.app.scenarios.format import parse_scenario
    from engine.app.scenarios.running import run_scenario
    from engine.app.scenarios.world import throwaway_world

    with throwaway_world(PROJECT_ROOT) as world:
        for path in sorted((PROJECT_ROOT / "scenarios").glob("*.yaml")):
            with world.database() as db:
                result = run_scenario(db, parse_scenario(path.read_text(encoding="utf-8"), str(path)))
            assert result.passed, path.name
