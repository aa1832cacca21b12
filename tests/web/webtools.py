"""Helpers for the web tests: sign in, CSRF tokens, bearer tokens, a reported case, the problem keys engine/ sets."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.definitions.bundle import Bundle
from engine.store.database import Database

PASSWORD = "Correct-Horse-42"

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def page_csrf(client: FlaskClient, path: str = "/login") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = page_csrf(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


# A role of the tests' organisation for people who also drive the API from a program: tokens are only for
# roles that may use_api_tokens, and the API tests act as handlers, grid workers and supervisors. It sees
# only its holders' own cases and works no lane, so holding it adds no reach.
API_CLIENT_ROLE = "api_client"


def reading_in(app: Flask, username: str, locale: str) -> FlaskClient:
    """A client signed in as `username` who chose to read the pages in `locale` ("zh"/"en")."""
    client = signed_in(app, username)
    client.post("/locale", data={"locale": locale, "next": "/", "csrf_token": page_csrf(client, "/")})
    return client


def page_text(client: FlaskClient, path: str) -> str:
    """The HTML of a page that must open (200)."""
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def api_token(web_db: Database, username: str) -> str:
    """`casegrid token create USER`, for a user who is first given API_CLIENT_ROLE if none of their roles
    may use API tokens."""
    from sqlalchemy import select

    from engine.auth.tokens import create_token
    from engine.org.abilities import Ability
    from engine.org.service import actor_from_user
    from engine.store.models.org import Role, User, UserRole

    with web_db.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        if not actor_from_user(session, user).may(Ability.USE_API_TOKENS):
            if session.get(Role, API_CLIENT_ROLE) is None:
                session.add(Role(code=API_CLIENT_ROLE, name_zh="程序接入", name_en="Program client", sees="own",
                                 may=[Ability.USE_API_TOKENS.value]))
            user.roles.append(UserRole(role=API_CLIENT_ROLE))
            session.flush()
        return create_token(session, username)


def bearer(web_db: Database, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(web_db, username)}"}


def start_report(web_db: Database, department: str = "chengguan", grid_cell: str = "S01C01G01",
                 by: str = "gw1") -> int:
    from engine.cases.service import start_case
    from engine.org.service import actor_for

    with web_db.transaction() as session:
        case = start_case(session, "web_flow", {"title": "Broken lamp", "grid_cell": grid_cell,
                                                "responsible_department": department}, actor_for(session, by))
        return case.id


def open_item(web_db: Database, case_id: int) -> Any:
    from sqlalchemy import select

    from engine.store.models.tasks import WorkItem

    with web_db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()


def audit_count(web_db: Database, case_id: int) -> int:
    from sqlalchemy import func, select

    from engine.store.models.audit import AuditEvent

    with web_db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))


FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bundle() -> Bundle:
    """The web tests' own small process and forms, laid over the bundled definitions."""
    files = {p.relative_to(FIXTURES).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(FIXTURES.rglob("*")) if p.is_file() and p.suffix in (".bpmn", ".json")}
    return Bundle(files)


PROBLEM_BUILDERS = {"Problem", "problem", "add", "Why"}


def problem_keys_set() -> dict[str, list[set[str] | None]]:
    """key -> for each place engine/ builds a Problem with it, the params it gives (None when not a literal)."""
    found: dict[str, list[set[str] | None]] = {}
    for path in (Path(__file__).resolve().parents[2] / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Problem(...) itself, or a file checker's helper that builds one (self.problem(...), add(...)).
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in PROBLEM_BUILDERS:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            if "key" not in keywords:
                continue
            params = keywords.get("params")
            given = ({k.value for k in params.keys if isinstance(k, ast.Constant)}
                     if isinstance(params, ast.Dict) and all(isinstance(k, ast.Constant) for k in params.keys)
                     else set() if params is None else None)
            for constant in ast.walk(keywords["key"]):
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                    found.setdefault(constant.value, []).append(given)
    return found
