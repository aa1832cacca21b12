"""The district as configuration: streets, communities, grid cells, departments and demo users."""
from __future__ import annotations

from sqlalchemy import func, select

from engine.config import PROJECT_ROOT
from engine.decisions import parse_dmn
from engine.definitions.bundle import load_root
from engine.org.config import organisation_from_files
from engine.org.passwords import verify_password
from engine.org.service import actor_for, load_organisation
from engine.store.database import Database
from engine.store.models.org import User, UserRole


def _config():  # type: ignore[no-untyped-def]
    return organisation_from_files(load_root(PROJECT_ROOT).files)


def test_the_district_has_streets_with_communities_with_grid_cells_and_the_departments_cases_go_to() -> None:
    org = _config()
    streets = org.codes_of("street")
    assert len(streets) >= 4
    for street in streets:
        communities = [u for u in org.units.values() if u.kind == "community" and u.parent_code == street]
        assert len(communities) >= 2
        for community in communities:
            assert [u for u in org.units.values() if u.kind == "grid_cell" and u.parent_code == community.code]
        assert org.units[f"jd_{street}"].kind == "department"  # each street's office
    assert {"chengguan", "huanwei", "shizheng", "shuiwu", "zhujian", "jiaotong", "gongan"} <= org.codes_of("department")


def test_every_grid_cell_has_a_scoped_grid_worker_and_every_routed_department_handlers_and_a_head() -> None:
    org = _config()
    scoped = {scope for user in org.users for role, scope in user.roles if role == "grid_worker"}
    assert scoped == org.codes_of("grid_cell")
    handled = {u.department for u in org.users if any(r == "handler" for r, _s in u.roles)}
    headed = {u.department for u in org.users if any(r == "department_head" for r, _s in u.roles)}
    # every unit the responsibility matrix can route a social event to
    (routing,) = parse_dmn((PROJECT_ROOT / "rules" / "social_event_routing.dmn").read_bytes(), "routing.dmn")
    handling = {rule.outputs[0].literal for rule in routing.compiled.rules}
    assert len(handling) >= 14
    assert handling <= handled and handling <= headed
    roles = {role for user in org.users for role, _scope in user.roles}
    assert {"dispatcher", "supervisor", "analyst", "admin", "hotline"} <= roles


def test_reloading_the_organisation_changes_nothing_and_keeps_demo_passwords_working(db: Database) -> None:
    config = _config()
    for _ in range(2):
        with db.transaction() as session:
            load_organisation(session, config)
    with db.transaction(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(User)) == len(config.users)
        assert session.scalar(select(func.count()).select_from(UserRole)) == sum(len(u.roles) for u in config.users)
        user = session.scalars(select(User).where(User.username == "gw_s02c01g01")).one()
        assert verify_password(user.password_hash, "demo1234")
        actor = actor_for(session, "gw_s02c01g01")
        assert actor.scopes == {"S02C01G01"} and actor.department == "jd_S02"
