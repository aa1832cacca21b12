"""Single sign-on (统一身份认证) against a real OpenID provider (tests/sso/provider, oidc-provider): who may
sign in, what the provider's claims change, what a forged or stale answer gets, and signing out."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from ssoflow import (
    AFTER_LOGOUT,
    CASEGRID,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    OidcProvider,
    callback_url,
    csrf_of,
    is_signed_in,
    query,
    sso_sign_in,
)

from engine.auth.sso import SsoSettings
from engine.auth.tokens import create_token
from engine.store.database import Database
from engine.store.models.audit import AuditEvent
from engine.store.models.org import User, UserIdentity
from web import create_app


def settings_for(provider: OidcProvider, **overrides: Any) -> SsoSettings:
    values: dict[str, Any] = dict(
        issuer=provider.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        department_claim="department", department_map={"城市管理和综合执法局": "chengguan", "环境卫生管理处": "huanwei"},
        roles_claim="roles", role_map={"处置员": "handler", "网格员": "grid_worker", "督办员": "supervisor"})
    values.update(overrides)
    return SsoSettings(**values)


@pytest.fixture
def make_app(sso_db: Database, oidc_provider: OidcProvider, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app({"DATABASE_URL": sso_db.url, "SECRET_KEY": "test-secret", "TESTING": True,
                          "UPLOAD_DIR": str(tmp_path / "uploads"),
                          "CASEGRID_SSO": settings_for(oidc_provider, **overrides)})
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["casegrid_db"].dispose()


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


def user_row(db: Database, username: str) -> User | None:
    with db.transaction(readonly=True) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is not None:
            session.expunge(user)
        return user


def roles_of(db: Database, username: str) -> set[tuple[str, str | None]]:
    user = user_row(db, username)
    assert user is not None
    return {(row.role, row.scope) for row in user.roles}


# --- the sign-in page -------------------------------------------------------------------------------

def test_sign_in_page_offers_unified_identity_button_beside_the_password_form(client):
    page = client.get("/login").get_data(as_text=True)
    assert "统一身份认证登录" in page and 'href="/login/sso"' in page
    assert 'name="password"' in page


def test_without_sso_configured_the_sign_in_page_has_only_the_password_form(make_app):
    app = make_app(issuer=None)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "统一身份认证登录" not in page and 'name="password"' in page
    assert app.test_client().get("/login/sso").status_code == 404


def test_with_local_passwords_off_the_password_form_is_hidden_and_a_password_post_refused(make_app):
    client = make_app(local_passwords=False).test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "统一身份认证登录" in page and 'name="password"' not in page
    refused = client.post("/login", data={"username": "h_cg", "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert refused.status_code == 403
    assert "已关闭密码登录" in refused.get_data(as_text=True)
    assert not is_signed_in(client)


# --- signing in ------------------------------------------------------------------------------------

def test_a_known_user_signs_in_through_the_provider_and_lands_on_the_inbox(client):
    answer = sso_sign_in(client, "h_cg")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    profile = client.get("/profile").get_data(as_text=True)
    assert 'data-testid="username">h_cg<' in profile and "陈城管" in profile


def test_the_page_asked_for_before_sign_in_is_opened_after_it(client):
    answer = sso_sign_in(client, "h_cg", start="/login/sso?next=/profile")
    assert answer.headers["Location"] == "/profile"


def test_a_next_address_off_the_site_is_not_followed_after_sign_in(client):
    answer = sso_sign_in(client, "h_cg", start="/login/sso?next=//evil.example/x")
    assert answer.headers["Location"] == "/"


def test_the_department_and_role_claims_map_onto_the_organisation(client, sso_db):
    assert sso_sign_in(client, "h_hw").status_code == 302
    user = user_row(sso_db, "h_hw")
    assert user.department == "chengguan" and user.display_name == "何环卫"
    assert roles_of(sso_db, "h_hw") == {("handler", None)}


def test_a_role_claim_without_a_grid_cell_keeps_the_cells_casegrid_assigned(client, sso_db):
    assert sso_sign_in(client, "gw1").status_code == 302
    assert roles_of(sso_db, "gw1") == {("grid_worker", "S01C01G01")}


def test_role_values_that_map_to_nothing_grant_nothing_and_roles_not_claimed_are_taken_away(client, sso_db):
    assert sso_sign_in(client, "sup").status_code == 302
    assert roles_of(sso_db, "sup") == {("supervisor", None)}


def test_a_change_made_by_the_claims_is_in_the_audit_trail(client, sso_db):
    sso_sign_in(client, "h_hw")
    with sso_db.transaction(readonly=True) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.updated_by_sso")).one()
        assert event.before["department"] == "huanwei" and event.after["department"] == "chengguan"


def test_without_claim_mapping_the_stored_department_and_roles_stay(make_app, sso_db):
    client = make_app(department_claim=None, roles_claim=None).test_client()
    assert sso_sign_in(client, "h_hw").status_code == 302
    assert user_row(sso_db, "h_hw").department == "huanwei"


def test_users_are_matched_by_a_configured_claim(make_app):
    # The platform's login is chen.chengguan; its employee_no claim (工号) is casegrid's username.
    by_default = make_app().test_client()
    assert sso_sign_in(by_default, "chen.chengguan").status_code == 403
    by_employee_no = make_app(username_claim="employee_no").test_client()
    assert sso_sign_in(by_employee_no, "chen.chengguan").status_code == 302
    assert 'data-testid="username">h_cg<' in by_employee_no.get("/profile").get_data(as_text=True)


# --- bound to the provider's (issuer, sub) ----------------------------------------------------------

def bindings(db: Database) -> set[tuple[str, str, str]]:
    with db.transaction(readonly=True) as session:
        return {(user, issuer, subject) for user, issuer, subject in session.execute(
            select(User.username, UserIdentity.issuer, UserIdentity.subject).join(User))}


def test_the_first_sign_in_binds_the_user_to_the_providers_issuer_and_subject(make_app, sso_db, oidc_provider):
    client = make_app().test_client()
    assert sso_sign_in(client, "he.huanwei").status_code == 302  # preferred_username h_hw, sub he.huanwei
    assert bindings(sso_db) == {("h_hw", oidc_provider.issuer, "he.huanwei")}
    with sso_db.transaction(readonly=True) as session:
        bound = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.bound_by_sso")).one()
        assert bound.details["username"] == "h_hw" and bound.details["subject"] == "he.huanwei"
    # Signing in again finds the binding and adds none.
    assert sso_sign_in(make_app().test_client(), "he.huanwei").status_code == 302
    assert len(bindings(sso_db)) == 1


@pytest.mark.parametrize("claim, now_says", [("employee_no", "HW-0042"), ("name", "何环卫")])
def test_a_bound_user_whose_username_claim_changed_still_signs_in_as_themselves(make_app, sso_db, claim, now_says):
    assert sso_sign_in(make_app().test_client(), "he.huanwei").status_code == 302
    # The platform now gives another value in the username claim (renamed, or switched to 工号).
    renamed = make_app(username_claim=claim).test_client()
    assert sso_sign_in(renamed, "he.huanwei").status_code == 302
    assert 'data-testid="username">h_hw<' in renamed.get("/profile").get_data(as_text=True)
    assert user_row(sso_db, now_says) is None  # nobody was created under the new claim
    with sso_db.transaction(readonly=True) as session:
        assert session.scalars(select(UserIdentity.last_claimed_username)).one() == now_says


def test_a_username_claim_naming_a_user_bound_to_another_subject_is_refused(make_app, sso_db, oidc_provider):
    assert sso_sign_in(make_app().test_client(), "he.huanwei").status_code == 302  # h_hw bound to he.huanwei
    before = user_row(sso_db, "h_hw")
    # Another platform account whose username claim (工号) now says h_hw: a reused or renamed username.
    client = make_app(username_claim="employee_no").test_client()
    answer = sso_sign_in(client, "impostor")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "已与统一身份认证平台上的另一个身份绑定" in page and "h_hw" in page
    assert "退出统一身份认证平台" in page  # to try another account
    assert not is_signed_in(client)
    # Nothing changed: no second binding, the account's name and roles are as they were.
    assert bindings(sso_db) == {("h_hw", oidc_provider.issuer, "he.huanwei")}
    after = user_row(sso_db, "h_hw")
    assert (after.display_name, after.department) == (before.display_name, before.department)
    # The bound person still signs in, under the same settings.
    assert sso_sign_in(make_app(username_claim="employee_no").test_client(), "he.huanwei").status_code == 302


def test_an_administrator_unbinds_a_user_whose_platform_account_was_recreated(make_app, sso_db, monkeypatch):
    from click.testing import CliRunner

    from engine import config
    from engine.app.cli import main

    assert sso_sign_in(make_app().test_client(), "he.huanwei").status_code == 302
    monkeypatch.setenv("CASEGRID_DATABASE_URL", sso_db.url)
    config.settings.cache_clear()
    try:
        unknown = CliRunner().invoke(main, ["user", "unbind-sso", "nobody"])
        done = CliRunner().invoke(main, ["user", "unbind-sso", "h_hw"])
        again = CliRunner().invoke(main, ["user", "unbind-sso", "h_hw"])
    finally:
        config.settings.cache_clear()
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    assert done.exit_code == 0 and "unbound h_hw from" in done.output and "he.huanwei" in done.output
    assert again.exit_code == 0 and "bound to no single sign-on identity" in again.output
    assert bindings(sso_db) == set()
    # The new platform account now binds at its first sign-in.
    client = make_app(username_claim="employee_no").test_client()
    assert sso_sign_in(client, "impostor").status_code == 302
    assert {subject for _u, _i, subject in bindings(sso_db)} == {"impostor"}


def test_a_deactivated_bound_user_is_refused(make_app, sso_db):
    assert sso_sign_in(make_app().test_client(), "he.huanwei").status_code == 302
    with sso_db.transaction() as session:
        session.scalars(select(User).where(User.username == "h_hw")).one().active = False
    answer = sso_sign_in(make_app(username_claim="employee_no").test_client(), "he.huanwei")
    assert answer.status_code == 403 and "已在本系统停用" in answer.get_data(as_text=True)


# --- who is refused --------------------------------------------------------------------------------

def test_an_unknown_user_is_refused_with_a_page_in_chinese_and_nothing_is_created(client, sso_db):
    answer = sso_sign_in(client, "stranger")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "尚未在本系统登记" in page and "stranger" in page
    assert "退出统一身份认证平台" in page  # to try another account
    assert not is_signed_in(client)
    assert user_row(sso_db, "stranger") is None


def test_an_unknown_user_is_created_in_the_default_role_when_one_is_configured(make_app, sso_db):
    client = make_app(default_role="hotline").test_client()
    assert sso_sign_in(client, "newcomer").status_code == 302
    user = user_row(sso_db, "newcomer")
    assert user.display_name == "牛新人" and user.department == "huanwei" and user.password_hash is None
    assert roles_of(sso_db, "newcomer") == {("hotline", None)}
    with sso_db.transaction(readonly=True) as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "user.created_by_sso")).one()


def test_a_deactivated_user_is_refused(client):
    answer = sso_sign_in(client, "deactivated")
    assert answer.status_code == 403 and "已在本系统停用" in answer.get_data(as_text=True)
    assert not is_signed_in(client)


# --- forged, stale and mixed-up answers --------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bad_signature", "wrong_audience", "expired", "wrong_nonce", "wrong_issuer"])
def test_an_id_token_that_fails_verification_signs_nobody_in(client, oidc_provider, mode):
    oidc_provider.tamper_next_id_token(mode)
    answer = sso_sign_in(client, "h_cg")
    assert answer.status_code == 401
    assert "未通过校验" in answer.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_callback_whose_state_this_browser_did_not_start_is_refused(client):
    url = callback_url(client, requests.Session(), "h_cg")
    forged = url.replace(f"state={query(url)['state']}", "state=not-the-state-we-sent")
    answer = client.get(forged[len(CASEGRID):])
    assert answer.status_code == 400 and "请重新登录" in answer.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_callback_from_another_browser_is_refused(make_app):
    victim, attacker = make_app().test_client(), make_app().test_client()
    url = callback_url(attacker, requests.Session(), "h_cg")  # login CSRF: the attacker's code and state
    assert victim.get(url[len(CASEGRID):]).status_code == 400
    assert not is_signed_in(victim)


def test_a_callback_used_twice_is_refused_the_second_time(client):
    url = callback_url(client, requests.Session(), "h_cg")
    assert client.get(url[len(CASEGRID):]).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/profile").get_data(as_text=True))})
    assert client.get(url[len(CASEGRID):]).status_code == 400
    assert not is_signed_in(client)


def test_an_error_answer_from_the_provider_signs_nobody_in(client):
    started = client.get("/login/sso")
    state = query(started.headers["Location"])["state"]
    answer = client.get(f"/login/sso/callback?error=access_denied&error_description=no&state={state}")
    assert answer.status_code == 401 and "未完成登录" in answer.get_data(as_text=True)
    assert not is_signed_in(client)


def test_an_unreachable_provider_gets_a_clear_page_not_an_error(make_app):
    client = make_app(issuer="http://127.0.0.1:9").test_client()
    answer = client.get("/login/sso")
    assert answer.status_code == 502 and "暂时无法连接统一身份认证平台" in answer.get_data(as_text=True)


# --- signing out -----------------------------------------------------------------------------------

def test_sign_out_ends_the_local_session_and_offers_the_providers_end_session(client, oidc_provider):
    browser = requests.Session()
    assert sso_sign_in(client, "h_cg", browser).status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    answer = client.post("/logout", data={"csrf_token": csrf_of(page)})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "同时退出统一身份认证平台" in text
    assert not is_signed_in(client)
    end_session = _link(text, "sso-end-session")
    assert end_session.startswith(f"{oidc_provider.issuer}/session/end?")
    assert query(end_session)["post_logout_redirect_uri"] == AFTER_LOGOUT
    # The provider asks to confirm, then sends the browser back to casegrid's sign-in page...
    assert _end_provider_session(browser, end_session) == AFTER_LOGOUT
    # ...and its session is over: the next sign-in asks for the account again.
    started = client.get("/login/sso")
    assert "name=\"login\"" in _first_page(browser, started.headers["Location"])


def test_while_the_provider_session_lasts_a_new_sign_in_needs_no_password(client):
    browser = requests.Session()
    sso_sign_in(client, "h_cg", browser)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/profile").get_data(as_text=True))})
    url = client.get("/login/sso").headers["Location"]
    assert "name=\"login\"" not in _first_page(browser, url)


def test_a_password_user_signs_out_straight_to_the_sign_in_page(client):
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "h_cg", "password": PASSWORD, "csrf_token": csrf_of(page)})
    assert is_signed_in(client)
    answer = client.post("/logout", data={"csrf_token": csrf_of(client.get("/profile").get_data(as_text=True))})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def _link(page: str, testid: str) -> str:
    import html
    import re

    match = re.search(rf'data-testid="{testid}" href="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def _end_provider_session(browser: requests.Session, url: str) -> str:
    import re

    confirm = browser.get(url, timeout=10)
    assert confirm.status_code == 200
    action = re.search(r'<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"', confirm.text) or \
        re.search(r'<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"', confirm.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    assert action and xsrf, confirm.text[:800]
    done = browser.post(requests.compat.urljoin(url, action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"},
                        allow_redirects=False, timeout=10)
    assert done.is_redirect, done.text[:500]
    return done.headers["Location"].split("?")[0]


def _first_page(browser: requests.Session, url: str) -> str:
    """The first page the provider shows from `url` (or casegrid's callback URL if it shows none)."""
    return through_provider_page(browser, url)


def through_provider_page(browser: requests.Session, url: str) -> str:
    for _step in range(8):
        if url.startswith(CASEGRID):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if not response.is_redirect:
            return response.text
        url = requests.compat.urljoin(url, response.headers["Location"])
    raise AssertionError("redirect loop")


# --- programs --------------------------------------------------------------------------------------

def test_bearer_tokens_keep_working_when_only_sso_signs_people_in(make_app, sso_db):
    with sso_db.transaction() as session:
        token = create_token(session, "adm")
    client = make_app(local_passwords=False).test_client()
    answer = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_with_local_passwords_off_the_profile_has_no_password_change(make_app):
    client = make_app(local_passwords=False).test_client()
    sso_sign_in(client, "h_cg")
    page = client.get("/profile").get_data(as_text=True)
    assert 'id="cg-password"' not in page
    refused = client.post("/profile/password", data={"csrf_token": csrf_of(page), "current_password": PASSWORD,
                                                     "new_password": "Another-Horse-43",
                                                     "repeat_password": "Another-Horse-43"})
    assert refused.status_code == 403
