"""API tokens only for roles that use them (`may: use_api_tokens`): whoever issues one, a user none of whose
roles has the ability is refused a token (the command checks it, the CLI says why), and a token whose holder
no longer has the ability is refused at use with a JSON problem, not silently honoured."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from webtools import api_token

from engine.auth.tokens import create_token
from engine.errors import Forbidden
from engine.store.models.org import Role, User, UserRole


def test_a_token_is_refused_to_a_user_none_of_whose_roles_uses_api_tokens(web_db):
    with web_db.transaction() as session:
        with pytest.raises(Forbidden) as refused:
            create_token(session, "h_cg")
    assert refused.value.key == "tokens.may_not" and "use_api_tokens" in refused.value.message
    with web_db.transaction(readonly=True) as session:
        assert session.scalars(select(User.api_token_hash).where(User.username == "h_cg")).one() is None


def test_the_cli_refuses_to_issue_such_a_token_and_says_why_in_words(web_db, monkeypatch):
    from engine import config
    from engine.app.cli import main

    monkeypatch.setenv("CASEGRID_DATABASE_URL", web_db.url)
    config.settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["token", "create", "h_cg"])
    finally:
        config.settings.cache_clear()
    assert result.exit_code != 0
    assert "h_cg may not hold an API token" in result.output and "handler" in result.output
    assert "cg_" not in result.output and "Traceback" not in result.output


def test_a_token_whose_holder_lost_the_role_that_uses_tokens_is_refused_at_use(app, web_db):
    headers = {"Authorization": f"Bearer {api_token(web_db, 'ana')}"}  # an analyst: a role that uses tokens
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with web_db.transaction() as session:  # moved to the handlers' desk
        user = session.scalars(select(User).where(User.username == "ana")).one()
        user.roles = [UserRole(role="handler")]
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 403 and refused.is_json
    problem = refused.get_json()["error"]
    assert problem["code"] == "forbidden" and "no longer has a role that may use API tokens" in problem["message"]


def test_a_token_stops_working_when_the_organisation_takes_the_ability_from_its_holders_role(app, web_db):
    headers = {"Authorization": f"Bearer {api_token(web_db, 'ana')}"}
    with web_db.transaction() as session:
        role = session.get(Role, "analyst")
        assert role is not None
        role.may = [ability for ability in role.may if ability != "use_api_tokens"]
    refused = app.test_client().post("/api/v1/cases", headers=headers, json={"process_key": "web_flow", "data": {}})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("username", ["gw1", "h_cg", "sup", "ana", "adm"])
def test_a_request_reads_the_same_holder_in_one_statement_as_the_users_roles_give(web_db, username):
    """token_holder reads the throttle, the user, their roles and what the organisation declares for them
    in one statement; the Actor it builds is the one actor_from_user builds from the loaded user (scoped
    grid worker, department handler, supervisor, analyst, administrator)."""
    from engine.auth.tokens import token_holder
    from engine.org.service import actor_from_user

    token = api_token(web_db, username)
    with web_db.transaction() as session:  # a held role the organisation does not declare grants nothing
        user = session.scalars(select(User).where(User.username == username)).one()
        user.roles.append(UserRole(role="no_such_role", scope="S01"))
    with web_db.transaction(readonly=True) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        expected = actor_from_user(session, user)
        holder = token_holder(session, token, "203.0.113.9")
    assert holder is not None
    assert (holder.id, holder.username, holder.department) == (user.id, user.username, user.department)
    assert holder.actor == expected and ("no_such_role", "S01") in holder.actor.roles


def test_a_token_of_a_deactivated_or_unknown_holder_answers_no_one_and_is_counted(app, web_db):
    from engine.auth.tokens import token_holder

    token = api_token(web_db, "ana")
    with web_db.transaction() as session:
        session.scalars(select(User).where(User.username == "ana")).one().active = False
    with web_db.transaction(readonly=True) as session:
        assert token_holder(session, token, "203.0.113.9") is None
        assert token_holder(session, "cg_unknown", "203.0.113.9") is None
        assert token_holder(session, "not-even-a-token", None) is None
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.10"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with web_db.transaction(readonly=True) as session:
        from engine.store.models.auth import LoginFailure

        assert session.scalars(select(LoginFailure.key)).all() == ["token:203.0.113.10"]
