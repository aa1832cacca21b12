"""Browser fixtures: the app served from a thread on a free port over a demo database, and Debian's Chromium
driven by Playwright (the Python package only; no downloaded browser).

The demo database (`casegrid init --demo`: organisation, demo users, bundled definitions, demo cases) is
built once per run (tests/conftest.py's `demo_template`) and copied for each test, so journeys never see
each other's changes.
Screenshots land in test-artifacts/browser/<test name>/ (git-ignored; CI keeps the folder).
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.store.database import Database
from tests.conftest import served

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
VENDOR = PROJECT_ROOT / "web" / "static" / "vendor"
DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml, docs/organisation.md
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
# A common phone (iPhone 12 to 14): the layout field roles use must work at this width.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

    # As long as an action's own wait (page.set_default_timeout below): an assertion waits on what a click
    # started, such as the studio validating the whole bundle, which takes seconds on a loaded 2-core machine.
    expect.set_options(timeout=15_000)
except ImportError:  # pragma: no cover - the test extras install it
    sync_playwright = None  # type: ignore[assignment]


def _why_skip() -> str | None:
    if sync_playwright is None:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install chromium (CI's .ci/run does this)"
    if not (VENDOR / "bpmn-js").is_dir():
        return "web/static/vendor is empty: run `make assets` (npm install in web/, python -m web.assets)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _why_skip()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    """Where the served app keeps uploaded files: the test's own folder, not the project's instance/."""
    return tmp_path / "uploads"


@pytest.fixture
def server_config() -> dict[str, object]:
    """More Flask configuration for the served app (a test module overrides this fixture, e.g. MAP_TILES)."""
    return {}


@pytest.fixture
def server(demo_db: Database, upload_dir: Path, server_config: dict[str, object]) -> Iterator[str]:
    """The Flask app on 127.0.0.1:<free port> in a thread; yields its base URL."""
    from web import create_app

    app = create_app({"DATABASE_URL": demo_db.url, "SECRET_KEY": "browser-tests", "TESTING": False,
                      "UPLOAD_DIR": str(upload_dir), **server_config})
    yield from served(app)


class Journey:
    """One browser context (own cookies) per person; numbered screenshots of every step."""

    def __init__(self, browser: Browser, base_url: str, folder: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.step = 0
        self.contexts: list[BrowserContext] = []
        self.console_errors: list[str] = []

    def sign_in(self, username: str, password: str = DEMO_PASSWORD, locale: str | None = None, *,
                phone: bool = False, position: tuple[float, float] | None = None, through_form: bool = True) -> Page:
        """A new context signed in as `username`: a desktop window, or with `phone` a 390×844 touch screen
        (PHONE). `position` (latitude, longitude) is what the page's geolocation reports, the permission
        granted as if the person had allowed it.

        Without `through_form` the context posts the sign-in form's fields (with its CSRF token) to the
        same /login over HTTP instead of rendering and clicking the form: for sweeps of a hundred users,
        where the journeys have already clicked the form itself; the page is then still blank, for the caller to
open what it watches."""
        screen = PHONE if phone else DESKTOP
        context = self.browser.new_context(base_url=self.base_url, locale="zh-CN", accept_downloads=True, **screen,
                                           **({"geolocation": {"latitude": position[0], "longitude": position[1]},
                                               "permissions": ["geolocation"]} if position else {}))
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: self.console_errors.append(f"{username}: {exc}"))
        if not through_form:
            form = context.request.get("/login").text()
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            answer = context.request.post("/login", max_redirects=0, form={
                "username": username, "password": password, "csrf_token": token.group(1) if token else ""})
            assert answer.status == 302, (username, answer.status)
            return page
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form[action$='/login'] button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        if locale:
            switch = page.locator(f"form button[name=locale][value={locale}]")
            if switch.count():
                switch.click()
                page.wait_for_load_state()
        return page

    def shot(self, page: Page, name: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Journey]:
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    made = Journey(browser, server, folder)
    yield made
    made.close()
