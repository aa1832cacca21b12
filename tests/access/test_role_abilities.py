"""Who may use a feature is declared per role (`may` in rules/organisation.yaml) and read from the database:
a typo is a clear error at load, an ability is checked by name, and a database upgraded from the
hard-coded role names keeps what they granted."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from engine.app.bootstrap import initialise
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.validation import validate_bundle
from engine.errors import DefinitionInvalid, Forbidden
from engine.org.abilities import Ability
from engine.org.access import Actor, require_ability
from engine.org.config import ORGANISATION_FILE, parse_organisation
from engine.org.service import actor_for, load_organisation
from engine.store.database import Database
from engine.store.migrate import upgrade
from engine.store.models.org import Role, User, UserRole
from tests.core.helpers import shipped_roles

SHIPPED = (PROJECT_ROOT / ORGANISATION_FILE).read_text(encoding="utf-8")
TYPO = SHIPPED.replace("may: [dashboard, urge, decide_extensions", "may: [dashbord, urge, decide_extensions", 1)


def test_an_unknown_ability_is_a_load_error_that_names_it_the_role_and_the_known_ones() -> None:
    assert TYPO != SHIPPED
    with pytest.raises(ValueError, match="role department_head: may names unknown ability 'dashbord'") as raised:
        parse_organisation(TYPO)
    assert all(ability.value in str(raised.value) for ability in Ability)


def test_an_ability_on_overseen_departments_without_oversees_is_a_load_error() -> None:
    with pytest.raises(ValueError, match="role inspector: may urge acts on the departments a role oversees"):
        parse_organisation("roles:\n  - {code: inspector, name_zh: 督察员, may: [urge]}\n")


def test_may_must_be_a_list_of_abilities() -> None:
    with pytest.raises(ValueError, match="may must be a list of abilities"):
        parse_organisation("roles:\n  - {code: analyst, name_zh: 分析员, may: model_processes}\n")


def test_init_refuses_an_organisation_with_an_unknown_ability_and_loads_nothing(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "district"
    for folder in ("processes", "rules", "forms"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    (root / ORGANISATION_FILE).write_text(TYPO, encoding="utf-8")
    with pytest.raises(DefinitionInvalid) as raised:
        initialise(db, root)
    [problem] = raised.value.problems
    assert problem.file == ORGANISATION_FILE and "unknown ability 'dashbord'" in problem.message
    with db.transaction(readonly=True) as session:
        assert session.scalars(select(Role)).all() == []


def test_deploying_an_organisation_with_an_unknown_ability_is_refused_with_the_reason() -> None:
    problems, _ = validate_bundle(Bundle({**load_root(PROJECT_ROOT).files, ORGANISATION_FILE: TYPO}))
    [unreadable] = [p for p in problems if p.file == ORGANISATION_FILE]
    assert "unknown ability 'dashbord'" in unreadable.message


def test_a_holder_gets_the_abilities_of_every_role_they_hold_and_no_other(db: Database) -> None:
    with db.transaction() as session:
        load_organisation(session, shipped_roles())
        session.add(User(username="both", department="chengguan",
                         roles=[UserRole(role="department_head"), UserRole(role="analyst")]))
        session.add(User(username="plain", department="chengguan", roles=[UserRole(role="handler")]))
    with db.transaction(readonly=True) as session:
        both, plain = actor_for(session, "both"), actor_for(session, "plain")
    assert both.abilities == {Ability.DASHBOARD, Ability.URGE, Ability.DECIDE_EXTENSIONS, Ability.SEE_INCIDENTS,
                              Ability.OPERATE_INCIDENTS, Ability.MODEL_PROCESSES, Ability.USE_API_TOKENS,
                              Ability.SEE_BULLETINS}
    assert both.may("urge") and not both.may(Ability.START_ANY)
    assert plain.abilities == frozenset()
    with pytest.raises(Forbidden) as refused:
        require_ability(plain, Ability.URGE)
    assert refused.value.key == "urge.may_not"


def test_asking_for_an_ability_that_does_not_exist_is_an_error_not_a_quiet_no() -> None:
    with pytest.raises(ValueError):
        Actor("someone").may("urgee")


def test_a_database_upgraded_from_hard_coded_role_names_keeps_what_they_granted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0601_role_access")
    engine = create_engine(url)
    with engine.begin() as connection:
        for code in ("supervisor", "department_head", "analyst", "admin", "handler", "dispatcher", "sensor_gateway"):
            connection.execute(text("INSERT INTO roles (code, name_zh, name_en, sees) VALUES (:c, :c, :c, 'own')"),
                               {"c": code})
    engine.dispose()
    upgrade(url)
    database = Database(url)
    try:
        with database.transaction(readonly=True) as session:
            granted = {role.code: set(role.may) for role in session.scalars(select(Role))}
            oversees = {role.code: role.oversees for role in session.scalars(select(Role))}
    finally:
        database.dispose()
    assert oversees["dispatcher"] == "all"  # the dashboard acts on overseen departments
    assert granted == {
        "supervisor": {"dashboard", "urge", "decide_extensions", "see_incidents", "see_bulletins", "publish_bulletins",
                       "see_map", "operations_screen"},
        "department_head": {"dashboard", "urge", "decide_extensions", "see_bulletins"},  # bulletins: 0901
        "analyst": {"see_incidents", "operate_incidents", "model_processes", "use_api_tokens"},
        "admin": {ability.value for ability in Ability},
        "handler": set(),
        # the command centre's read-only overview (0802), its bulletins, map and wall screen (0901)
        "dispatcher": {"dashboard", "see_bulletins", "see_map", "operations_screen"},
        "sensor_gateway": {"use_api_tokens"},
    }
    shipped = parse_organisation(SHIPPED)
    assert {code: {a.value for a in shipped.access[code].may} for code in granted} == granted  # the file agrees


def test_the_api_token_upgrade_adds_to_what_a_role_lists_and_keeps_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0801_role_abilities")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO roles (code, name_zh, name_en, sees, may) "
                                "VALUES ('analyst', 'a', 'a', 'own', '[\"model_processes\", \"start_any\"]')"))
    engine.dispose()
    upgrade(url)
    database = Database(url)
    try:
        with database.transaction(readonly=True) as session:
            analyst = session.scalars(select(Role).where(Role.code == "analyst")).one()
            assert analyst.may == ["model_processes", "start_any", "use_api_tokens"]
    finally:
        database.dispose()
