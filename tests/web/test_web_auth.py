"""Sign-in, sessions, CSRF, throttling, tokens; passwords never stored or logged in clear."""
from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from webtools import PASSWORD, api_token, login, page_csrf, signed_in

from engine.app.bootstrap import initialise
from engine.config import PROJECT_ROOT
from engine.definitions.bundle import load_root
from engine.org.config import organisation_from_files
from engine.org.service import load_organisation
from engine.store.database import Database
from engine.store.models.definitions import Deployment
from engine.store.models.org import User


def test_every_page_and_endpoint_requires_sign_in_except_login_and_healthz(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    for path in ("/", "/cases", "/start", "/profile", "/metrics"):
        response = client.get(path)
        assert response.status_code in (302, 401), path
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
    for path in ("/api/v1/tasks", "/api/v1/cases", "/api/v1/openapi.json", "/api/v1/definitions"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_signing_in_opens_the_inbox_and_signing_out_closes_the_session(app):
    client = signed_in(app, "h_cg")
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    wrong = login(client, "h_cg", "nope")
    unknown = login(client, "nobody", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("username, password", [("x" * 5000, "nope"), ("h_cg", "x" * 5000)], ids=["name", "password"])
def test_a_name_or_password_too_long_for_any_account_is_a_wrong_pair_not_a_missing_one(client, username, password):
    refused = login(client, username, password)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 401 and "用户名或密码错误。" in html and "请输入用户名和密码。" not in html
    assert "x" * 81 not in html  # the typed name is not echoed back at full length
    assert 'maxlength="80"' in html and 'maxlength="1000"' in html  # and the form stops it being typed
    assert client.get("/").status_code == 302


def test_a_blank_name_or_password_is_asked_for(client):
    refused = login(client, "h_cg", "")
    assert refused.status_code == 400 and "请输入用户名和密码。" in refused.get_data(as_text=True)


def test_the_next_parameter_never_leads_off_site(client):
    token = page_csrf(client)
    response = client.post("/login", data={"username": "h_cg", "password": PASSWORD, "csrf_token": token,
                                           "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_a_form_without_a_csrf_token_is_refused(app, web_db):
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"username": "h_cg", "password": PASSWORD}).status_code == 400
    client = signed_in(app, "h_cg")
    response = client.post("/profile/token")
    assert response.status_code == 400
    with web_db.transaction(readonly=True) as session:
        assert session.scalars(select(User.api_token_hash).where(User.username == "h_cg")).one() is None


def test_a_session_cookie_on_the_api_needs_the_csrf_header_for_unsafe_methods(app):
    client = signed_in(app, "gw1")
    body = {"process_key": "web_flow", "data": {"title": "Lamp", "grid_cell": "S01C01G01",
                                                 "responsible_department": "chengguan"}}
    refused = client.post("/api/v1/cases", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    ok = client.post("/api/v1/cases", json=body, headers={"X-CSRFToken": page_csrf(client, "/")})
    assert ok.status_code == 201


def test_login_is_throttled_after_repeated_failures_even_with_the_right_password(client):
    for _ in range(5):
        assert login(client, "gw1", "wrong").status_code == 401
    throttled = login(client, "gw1", PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert login(client, "gw2", PASSWORD).status_code == 302  # another account is not locked out


def test_passwords_are_stored_as_argon2_hashes_only(web_db, client):
    login(client, "h_cg", "a-wrong-guess-123")
    with web_db.transaction(readonly=True) as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "h_cg")).one()
        dump = "\n".join(str(row) for table in ("users", "login_failures", "audit_events")
                         for row in session.execute(text(f"SELECT * FROM {table}")))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in dump and "a-wrong-guess-123" not in dump


def test_passwords_never_reach_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    login(client, "h_cg", "a-wrong-guess-123")
    login(client, "h_cg", PASSWORD)
    client.get("/")
    assert caplog.records or True
    assert PASSWORD not in caplog.text and "a-wrong-guess-123" not in caplog.text


def test_a_token_created_on_the_profile_page_is_shown_once_and_stored_as_a_hash(app, web_db):
    client = signed_in(app, "ana")  # an analyst: a role that uses API tokens
    response = client.post("/profile/token", data={"csrf_token": page_csrf(client, "/profile")})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    token = html.split('data-testid="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("cg_")
    assert token not in client.get("/profile").get_data(as_text=True)
    with web_db.transaction(readonly=True) as session:
        stored = session.scalars(select(User.api_token_hash).where(User.username == "ana")).one()
    assert stored and token not in stored
    api = app.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["username"] == "ana"
    client.post("/profile/token/revoke", data={"csrf_token": page_csrf(client, "/profile")})
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_bearer_requests_need_no_csrf_and_bad_tokens_get_401(app, web_db):
    token = api_token(web_db, "gw1")
    client = app.test_client()
    body = {"process_key": "web_flow", "data": {"title": "Lamp", "grid_cell": "S01C01G01",
                                                 "responsible_department": "chengguan"}}
    assert client.post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer cg_not-a-token"})
    assert bad.status_code == 401 and bad.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_cli_creates_a_token_that_the_api_accepts(app, web_db, monkeypatch):
    from engine import config
    from engine.app.cli import main

    monkeypatch.setenv("CASEGRID_DATABASE_URL", web_db.url)
    config.settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["token", "create", "ana"])  # an analyst: a role that uses tokens
    finally:
        config.settings.cache_clear()
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("locale,word", [("en", "Inbox"), ("zh", "待办")])
def test_the_language_switch_is_kept_in_the_session_and_the_user(app, web_db, locale, word):
    client = signed_in(app, "h_cg")
    client.post("/locale", data={"locale": locale, "next": "/", "csrf_token": page_csrf(client, "/")})
    assert word in client.get("/").get_data(as_text=True)
    with web_db.transaction(readonly=True) as session:
        assert session.scalars(select(User.locale).where(User.username == "h_cg")).one() == locale


def test_demo_passwords_never_reach_a_deployment(tmp_path):
    """Seed users are hashed into the users table; the file that lists them is never deployed."""
    database = Database(f"sqlite:///{tmp_path / 'seeded.sqlite3'}")
    try:
        initialise(database, PROJECT_ROOT, demo=False)
        with database.transaction() as session:
            load_organisation(session, organisation_from_files(load_root(PROJECT_ROOT).files))
        with database.transaction(readonly=True) as session:
            files = [f for d in session.scalars(select(Deployment)) for f in d.files.items()]
            hashes = list(session.scalars(select(User.password_hash)))
        assert files and not any("demo_users" in path or "demo1234" in text for path, text in files)
        assert hashes and all(h.startswith("$argon2") for h in hashes if h)
    finally:
        database.dispose()


def test_bearer_token_failures_are_throttled_per_address_like_sign_ins(app, web_db):
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for attempt in range(20):  # CASEGRID_LOGIN_PER_ADDRESS
        response = guesser.get("/api/v1/me", headers={"Authorization": f"Bearer cg_guess-{attempt}"})
        assert response.status_code == 401
    good = api_token(web_db, "gw1")
    throttled = guesser.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})
    assert throttled.status_code == 429
    assert throttled.get_json()["error"]["code"] == "too_many_token_failures"
    assert "too many invalid API tokens" in throttled.get_json()["error"]["message"]
    assert int(throttled.headers["Retry-After"]) > 0
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_bad_tokens_do_not_lock_people_out_of_the_login_page_from_the_same_address(app, client):
    guesser = app.test_client()
    for attempt in range(21):
        guesser.get("/api/v1/me", headers={"Authorization": f"Bearer cg_guess-{attempt}"})
    assert login(client, "gw1").status_code == 302


def test_metrics_are_for_administrators_not_every_signed_in_user(app, web_db):
    api = app.test_client()
    refused = api.get("/metrics", headers={"Authorization": f"Bearer {api_token(web_db, 'sup')}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    assert "casegrid_http" not in refused.get_data(as_text=True)
    page = signed_in(app, "h_cg").get("/metrics")
    assert page.status_code == 403 and "casegrid_http" not in page.get_data(as_text=True)
    assert signed_in(app, "adm").get("/metrics").status_code == 200


def test_metrics_open_to_the_configured_monitoring_token_and_only_there(app, web_db):
    app.config["CASEGRID_METRICS_TOKEN"] = "scrape-secret-0123456789"
    api = app.test_client()
    scrape = api.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert scrape.status_code == 200 and "casegrid_http_requests_total" in scrape.get_data(as_text=True)
    assert api.get("/metrics", headers={"Authorization": "Bearer scrape-secret-wrong"}).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer scrape-secret-0123456789"}).status_code == 401
