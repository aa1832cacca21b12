"""A person signs in with 统一身份认证登录 in Chromium, through the real provider's pages, and signs out of
both. Screenshots in test-artifacts/browser/<test>/ (as tests/browser keeps them)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ssoflow import CLIENT_ID, CLIENT_SECRET, OidcProvider

from engine.auth.sso import SsoSettings
from engine.config import PROJECT_ROOT
from engine.store.database import Database
from tests.conftest import CHROMIUM, served

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI's .ci/run does this)", allow_module_level=True)


@pytest.fixture
def live_server(sso_db: Database, oidc_provider: OidcProvider, tmp_path: Path) -> Iterator[str]:
    """casegrid on the port the provider knows as a redirect URI, signing in through it, passwords off."""
    from web import create_app

    settings = SsoSettings(issuer=oidc_provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                           local_passwords=False)
    app = create_app({"DATABASE_URL": sso_db.url, "SECRET_KEY": "browser-tests", "TESTING": False,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "CASEGRID_SSO": settings})
    yield from served(app, oidc_provider.browser_port)


def test_a_person_signs_in_with_the_unified_identity_button_and_signs_out_of_both(live_server, browser, request):
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/login")
        assert page.locator("input[name=password]").count() == 0  # local passwords are off
        page.screenshot(path=str(folder / "01-sign-in-page.png"), full_page=True)
        page.get_by_text("统一身份认证登录").click()
        page.wait_for_selector("input[name=login]")  # the provider's own sign-in page
        page.fill("input[name=login]", "h_cg")
        page.fill("input[name=password]", "any-password")
        page.screenshot(path=str(folder / "02-provider-sign-in.png"), full_page=True)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        page.goto("/profile")
        assert page.get_by_test_id("username").inner_text() == "h_cg"
        page.screenshot(path=str(folder / "03-signed-in.png"), full_page=True)
        page.locator("form[action$='/logout'] button").first.click()
        page.wait_for_selector("[data-testid=signed-out]")
        page.screenshot(path=str(folder / "04-signed-out-offer.png"), full_page=True)
        page.get_by_test_id("sso-end-session").click()
        page.wait_for_selector("button[name=logout][value=yes]")  # the provider asks to confirm
        page.click("button[name=logout][value=yes]")
        page.wait_for_url(f"{live_server}/login*")
        page.screenshot(path=str(folder / "05-back-at-sign-in.png"), full_page=True)
        assert page.get_by_text("统一身份认证登录").is_visible()
    finally:
        context.close()
