"""A password change ends every other session of the user: a colleague's browser (or a thief's) signed in
with the old password is signed out at its next request, while the session that made the change goes on.
An administrator's reset (`casegrid user set-password`) ends them all."""
from __future__ import annotations

from click.testing import CliRunner
from webtools import PASSWORD, login, page_csrf, signed_in

NEW_PASSWORD = "Battery-Staple-77"


def _change(client):  # type: ignore[no-untyped-def]
    return client.post("/profile/password", data={
        "csrf_token": page_csrf(client, "/profile"), "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "repeat_password": NEW_PASSWORD})


def test_a_password_change_ends_the_users_other_sessions_and_keeps_the_one_that_changed_it(app, web_db):
    here, elsewhere = signed_in(app, "h_cg"), signed_in(app, "h_cg")
    colleague = signed_in(app, "h_cg2")
    assert elsewhere.get("/").status_code == 200
    assert _change(here).status_code == 302
    assert "您在其他设备和浏览器上的登录已全部退出" in here.get("/profile").get_data(as_text=True)
    assert here.get("/").status_code == 200  # the session that changed it goes on
    ended = elsewhere.get("/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    login_page = elsewhere.get(ended.headers["Location"]).get_data(as_text=True)
    assert "您的密码已修改，请使用新密码重新登录。" in login_page
    assert elsewhere.get("/").status_code == 302  # stays signed out
    assert colleague.get("/").status_code == 200  # another user's session is not touched


def test_a_refused_password_change_ends_no_session(app, web_db):
    here, elsewhere = signed_in(app, "h_cg"), signed_in(app, "h_cg")
    refused = here.post("/profile/password", data={
        "csrf_token": page_csrf(here, "/profile"), "current_password": "wrong-one", "new_password": NEW_PASSWORD,
        "repeat_password": NEW_PASSWORD})
    assert refused.status_code == 422
    assert elsewhere.get("/").status_code == 200 and here.get("/").status_code == 200


def test_an_administrators_reset_ends_every_session_of_the_user(app, web_db, monkeypatch):
    from engine import config
    from engine.app.cli import main

    session_a, session_b = signed_in(app, "h_cg"), signed_in(app, "h_cg")
    monkeypatch.setenv("CASEGRID_DATABASE_URL", web_db.url)
    config.settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["user", "set-password", "h_cg"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    finally:
        config.settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # asked for hidden
    for ended in (session_a, session_b):
        response = ended.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert login(app.test_client(), "h_cg", PASSWORD).status_code == 401
    assert login(app.test_client(), "h_cg", NEW_PASSWORD).status_code == 302
