"""Web fixtures: the bundled definitions plus a small test process, one user per role, a Flask app."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import PASSWORD, fixture_bundle

from engine.definitions.service import deploy
from engine.org.config import OrgConfig, UserSpec
from engine.org.service import load_organisation
from engine.store.database import Database
from tests.conftest import built_from, built_once, sqlite_database_from
from web import create_app

# username -> (department, roles)
USERS: dict[str, tuple[str | None, tuple[tuple[str, str | None], ...]]] = {
    "gw1": ("S01", (("grid_worker", "S01C01G01"),)),
    "gw2": ("S01", (("grid_worker", "S01C01G02"),)),
    "h_cg": ("chengguan", (("handler", None),)),
    "h_cg2": ("chengguan", (("handler", None),)),
    "h_hw": ("huanwei", (("handler", None),)),
    "sup": (None, (("supervisor", None),)),
    "duty": ("zhihui", (("duty_officer", None),)),
    "ana": (None, (("analyst", None),)),
    "adm": (None, (("admin", None),)),
}


def _add_users_and_fixture_process(database: Database) -> None:
    users = [UserSpec(name, name.upper(), dept, PASSWORD, "zh", roles) for name, (dept, roles) in USERS.items()]
    with database.transaction() as session:
        load_organisation(session, OrgConfig(users=users))
        deploy(session, fixture_bundle(), actor="test")


@pytest.fixture(scope="session")
def web_template(deployed_template: Path, run_folder: Path) -> Path:
    """Built once per run: hashing the users' password and deploying cost more than copying a file."""
    return built_once(run_folder, "web.sqlite3", built_from(deployed_template, _add_users_and_fixture_process))


@pytest.fixture
def web_db(web_template: Path, tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database_from(web_template, tmp_path)


@pytest.fixture
def app(web_db: Database, tmp_path: Path) -> Flask:
    # The test's own upload directory: files attached through forms never land in the project's instance/.
    app = create_app({"DATABASE_URL": web_db.url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    yield app
    app.extensions["casegrid_db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


