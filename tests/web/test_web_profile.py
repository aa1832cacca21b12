"""The profile: a password changed with the current one and the new one twice (worded refusals beside their
field, wrong guesses throttled); API tokens and the rendered API reference only for the roles that use them."""
from __future__ import annotations

import re

from sqlalchemy import select
from webtools import PASSWORD, login, page_csrf, signed_in

from engine.store.database import Database
from engine.store.models.org import User

NEW_PASSWORD = "Battery-Staple-77"


def _change(client, current: str, new: str, repeat: str | None = None):  # type: ignore[no-untyped-def]
    return client.post("/profile/password", data={
        "csrf_token": page_csrf(client, "/profile"), "current_password": current, "new_password": new,
        "repeat_password": new if repeat is None else repeat})


def _hash(db: Database, username: str) -> str:
    with db.transaction(readonly=True) as session:
        return session.scalars(select(User.password_hash).where(User.username == username)).one()


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'data-error-for="{field}"[^>]*>([^<]+)<', html)
    assert match, f"no error beside {field}"
    return match.group(1)


# --- password change ---------------------------------------------------------------------------------

def test_a_changed_password_signs_in_and_the_old_one_no_longer_does(app, web_db):
    client = signed_in(app, "h_cg")
    response = _change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "密码已修改" in client.get("/profile").get_data(as_text=True)
    assert _hash(web_db, "h_cg").startswith("$argon2id$")
    assert login(app.test_client(), "h_cg", PASSWORD).status_code == 401
    assert login(app.test_client(), "h_cg", NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_is_said_beside_its_field_and_changes_nothing(app, web_db):
    client = signed_in(app, "h_cg")
    before = _hash(web_db, "h_cg")
    response = _change(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 422
    assert _error_beside(response.get_data(as_text=True), "current_password") == "当前密码不正确。"
    assert _hash(web_db, "h_cg") == before


def test_a_short_new_password_and_two_different_ones_are_refused_in_chinese(app, web_db):
    client = signed_in(app, "h_cg")
    before = _hash(web_db, "h_cg")
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 422
    assert _error_beside(short.get_data(as_text=True), "new_password") == "新密码至少需要 8 个字符。"
    differ = _change(client, PASSWORD, NEW_PASSWORD, "Battery-Staple-78")
    assert differ.status_code == 422
    assert _error_beside(differ.get_data(as_text=True), "repeat_password") == "两次输入的新密码不一致。"
    assert _hash(web_db, "h_cg") == before


def test_wrong_current_passwords_are_throttled_without_locking_the_owner_out_of_sign_in(app, web_db):
    client = signed_in(app, "h_cg")
    for _ in range(5):
        assert _change(client, "a-wrong-guess", NEW_PASSWORD).status_code == 422
    throttled = _change(client, PASSWORD, NEW_PASSWORD)  # even the right one, while throttled
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "失败次数过多" in _error_beside(throttled.get_data(as_text=True), "current_password")
    assert login(app.test_client(), "h_cg", PASSWORD).status_code == 302
    assert login(app.test_client(), "h_cg", NEW_PASSWORD).status_code == 401


def test_the_password_change_needs_the_csrf_token(app, web_db):
    client = signed_in(app, "h_cg")
    before = _hash(web_db, "h_cg")
    response = client.post("/profile/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                      "repeat_password": NEW_PASSWORD})
    assert response.status_code == 400 and _hash(web_db, "h_cg") == before


# --- API tokens only for the roles that use them -------------------------------------------------------

def test_a_role_that_does_not_use_api_tokens_is_refused_one_with_a_chinese_403(app, web_db):
    client = signed_in(app, "h_cg")
    response = client.post("/profile/token", data={"csrf_token": page_csrf(client, "/profile")})
    assert response.status_code == 403
    assert "您的岗位不使用 API 令牌" in response.get_data(as_text=True)
    with web_db.transaction(readonly=True) as session:
        assert session.scalars(select(User.api_token_hash).where(User.username == "h_cg")).one() is None


def test_the_profile_offers_tokens_only_to_roles_that_use_them(app, web_db):
    handler = signed_in(app, "h_cg").get("/profile").get_data(as_text=True)
    assert 'id="cg-api-token"' not in handler and "/profile/token" not in handler
    for username in ("ana", "adm"):
        page = signed_in(app, username).get("/profile").get_data(as_text=True)
        assert 'id="cg-api-token"' in page and 'action="/profile/token"' in page, username


def test_a_token_left_from_before_the_rule_can_be_revoked_but_not_replaced(app, web_db):
    from engine.auth.tokens import digest

    with web_db.transaction() as session:  # issued to a handler before tokens were only for roles that use them
        session.scalars(select(User).where(User.username == "h_cg")).one().api_token_hash = digest("cg_legacy")
    client = signed_in(app, "h_cg")
    page = client.get("/profile").get_data(as_text=True)
    assert 'action="/profile/token/revoke"' in page and 'action="/profile/token"' not in page
    client.post("/profile/token/revoke", data={"csrf_token": page_csrf(client, "/profile")})
    with web_db.transaction(readonly=True) as session:
        assert session.scalars(select(User.api_token_hash).where(User.username == "h_cg")).one() is None


# --- the rendered API reference ---------------------------------------------------------------------

def test_the_api_reference_is_in_the_navigation_of_roles_that_use_tokens_only(app, web_db):
    assert 'href="/api/docs"' in signed_in(app, "ana").get("/").get_data(as_text=True)
    handler = signed_in(app, "h_cg")
    assert 'href="/api/docs"' not in handler.get("/").get_data(as_text=True)
    refused = handler.get("/api/docs")
    assert refused.status_code == 403 and "您的岗位不使用 API 令牌" in refused.get_data(as_text=True)


def test_the_api_reference_is_a_page_that_sends_the_signed_out_to_the_sign_in_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_api_reference_renders_the_openapi_document_with_swagger_ui_served_by_the_package(app, web_db):
    page = signed_in(app, "ana").get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>API 接口文档</h1>" in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in scripts
    assert all(src.startswith("/static/") for src in scripts), "no CDN: the district network is closed"
    assert all(href.startswith("/static/") for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html))


def test_the_vendor_copy_list_includes_swagger_ui_and_the_package_declares_it():
    import json

    from web.assets import VENDOR_FILES, WEB

    assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= set(VENDOR_FILES["swagger-ui-dist"])
    package = json.loads((WEB / "package.json").read_text(encoding="utf-8"))
    assert "swagger-ui-dist" in package["dependencies"]
