"""Shared fixtures: a migrated SQLite database per test, PostgreSQL per test when CASEGRID_TEST_PG_URL is set."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.app.boot import boot
from engine.config import PROJECT_ROOT
from engine.definitions import versions
from engine.definitions.bundle import load_root
from engine.runtime import kept
from engine.sla.calendar_store import clear_cache as clear_calendar_cache
from engine.sla.clocks import clear_policy_cache
from engine.store.database import Database
from engine.store.migrate import upgrade
from tests.clitools import Cli

PG_URL_VARIABLE = "CASEGRID_TEST_PG_URL"
# argon2id at the least cost it allows, for every process the tests start (the served app, CLI processes):
# the suite signs in several hundred times, and at the production cost (64 MiB, 3 passes, 4 lanes) each
# sign-in is a quarter of a second of a loaded 2-core machine. tests/web/test_password_cost.py proves the
# production default and the upgrade of a hash made at another cost.
os.environ.setdefault("CASEGRID_PASSWORD_TIME_COST", "1")
os.environ.setdefault("CASEGRID_PASSWORD_MEMORY_KIB", "8")
os.environ.setdefault("CASEGRID_PASSWORD_PARALLELISM", "1")


@pytest.fixture(scope="session", autouse=True)
def booted() -> None:
    """The reactions every process registers at start-up (engine.app.boot), as the app and CLI do."""
    boot()


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder all xdist workers of this run share (the run's own temporary folder when not distributed).

    Templates built here are built once per run, not once per worker: migrating, deploying the bundled
    definitions and seeding the demo district cost seconds each, and every worker needs the same files."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def built_once(folder: Path, name: str, build: Callable[[Path], None]) -> Path:
    """The file `name` in `folder`, built by the first worker that asks while the others wait for it."""
    path = folder / name
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = folder / f"partial-{name}"
            partial.unlink(missing_ok=True)
            build(partial)
            partial.rename(path)
    return path


def sqlite_database_from(template: Path, folder: Path) -> Iterator[Database]:
    """A private copy of a template database, caches cleared before and after (ids repeat between copies)."""
    path = folder / f"copy-of-{template.name}"
    shutil.copy(template, path)
    database = Database(f"sqlite:///{path}")
    clear_engine_caches()
    yield database
    database.dispose()
    clear_engine_caches()


@pytest.fixture(scope="session")
def sqlite_template(run_folder: Path) -> Path:
    """Migrate once with Alembic; each test copies the file (migrations are what production runs)."""
    return built_once(run_folder, "template.sqlite3", lambda path: upgrade(f"sqlite:///{path}"))


def built_from(template: Path, prepare: Callable[[Database], None]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        shutil.copy(template, path)
        database = Database(f"sqlite:///{path}")
        clear_engine_caches()
        try:
            prepare(database)
        finally:
            database.dispose()
            clear_engine_caches()
    return build


@pytest.fixture(scope="session")
def deployed_template(sqlite_template: Path, run_folder: Path) -> Path:
    """The bundled definitions and the demo users deployed once; `deployed_db` copies the file."""
    return built_once(run_folder, "deployed.sqlite3", built_from(sqlite_template, deploy_bundled))


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, run_folder: Path) -> Path:
    """`casegrid init --demo` once per run (organisation, demo users, definitions, demo cases); tests copy it."""
    from engine.app.bootstrap import initialise

    return built_once(run_folder, "demo.sqlite3", built_from(
        sqlite_template, lambda database: initialise(database, PROJECT_ROOT, demo=True)))


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the seeded demo district."""
    yield from sqlite_database_from(demo_template, tmp_path)


def clear_engine_caches() -> None:
    """Test databases reuse ids: cached policy lists, calendars and runtime state must not leak between them.

    The database fixtures (``pg_db`` and every copy of a template through ``sqlite_database_from``: ``db``,
    ``deployed_db``, ``web_db``, ``demo_db`` and the fixtures built on them) call it before and after each
    test; no module needs a fixture of its own for it."""
    clear_policy_cache()
    clear_calendar_cache()
    versions.clear_cache()
    kept.clear()


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database_from(sqlite_template, tmp_path)


def pg_admin_url() -> str | None:
    return os.environ.get(PG_URL_VARIABLE)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test; dropped afterwards."""
    admin = pg_admin_url()
    if not admin:
        pytest.skip(f"{PG_URL_VARIABLE} is not set; PostgreSQL tests need a server")
    name = f"casegrid_test_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        versions.clear_cache()
        with admin_engine.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin_engine.dispose()


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    clear_engine_caches()
    yield database
    database.dispose()
    clear_engine_caches()


@pytest.fixture(scope="session")
def bundled() -> object:
    """The definitions shipped in processes/, rules/ and forms/."""
    return load_root(PROJECT_ROOT)


def deploy_bundled(database: Database, demo_users: bool = True) -> None:
    from engine.definitions.service import deploy
    from engine.org.config import organisation_from_files
    from engine.org.service import load_organisation

    bundle = load_root(PROJECT_ROOT)
    files = bundle.files if demo_users else {k: v for k, v in bundle.files.items() if "demo_users" not in k}
    with database.transaction() as session:
        load_organisation(session, organisation_from_files(files))
        deploy(session, bundle, actor="test")


@pytest.fixture
def deployed_db(deployed_template: Path, tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database_from(deployed_template, tmp_path)


@pytest.fixture(scope="session")
def init_template(sqlite_template: Path, run_folder: Path) -> Path:
    """What `casegrid init` leaves in a new database (the same `initialise`), built once per run."""
    from engine.app.bootstrap import initialise

    return built_once(run_folder, "init.sqlite3", built_from(
        sqlite_template, lambda database: initialise(database, PROJECT_ROOT)))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """`casegrid ARGS...` in this process against this test's own SQLite file and instance folder
    (tests/clitools.py says why not a new process)."""
    return Cli(tmp_path, clear_engine_caches)


@pytest.fixture
def cli_after_init(cli: Cli, init_template: Path) -> Cli:
    """`cli` on a database `casegrid init` has prepared."""
    cli.start_from(init_template)
    return cli


@pytest.fixture
def cli_after_demo_init(cli: Cli, demo_template: Path) -> Cli:
    """`cli` on a database `casegrid init --demo` has prepared."""
    cli.start_from(demo_template)
    return cli


RealCli = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def real_cli(tmp_path: Path) -> RealCli:
    """`casegrid ARGS...` as a real process: for the tests of the entry point and of what a shell sees."""
    env = {**os.environ, "CASEGRID_INSTANCE_DIR": str(tmp_path / "instance"),
           "CASEGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "engine.app.cli", *args], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)

    return run


def served(app: object, port: int = 0) -> Iterator[str]:
    """``app`` on 127.0.0.1:``port`` (0: a free one) in a thread, its base URL yielded; stopped and its
    database pool disposed afterwards. The browser journeys and the SSO journey serve through it."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="casegrid-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        app.extensions["casegrid_db"].dispose()  # type: ignore[attr-defined]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright, one per worker for every test that drives it (tests/browser,
    the SSO journey): Playwright's sync API cannot be started twice in one process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# The longest tests (a minute or more each on a 2-core machine), run first: xdist hands out tests in collection
# order, and one of these drawn last keeps a worker busy while the other has finished.
LONGEST_FIRST = (
    "tests/browser/test_button_sweep.py::test_every_action",
    "tests/web/test_web_zh_sweep.py::test_every_page",
    "tests/sla/test_sla_workers_postgresql.py",
    "tests/web/test_web_schemathesis.py",
    "tests/core/test_invariants.py",
    "tests/rules/test_event_rules_10k.py",
    "tests/rules/test_event_state_shared.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive Chromium carry the `browser` mark: `make test-fast` leaves them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: next((rank for rank, prefix in enumerate(LONGEST_FIRST)
                                      if item.nodeid.startswith(prefix)), len(LONGEST_FIRST)))
