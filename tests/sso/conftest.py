"""A real OpenID provider for the SSO tests: tests/sso/provider/server.mjs (the npm package oidc-provider,
an OpenID-certified implementation), started once per test session on a free port of 127.0.0.1.

`make test` installs its node_modules (Makefile); run alone, the fixture runs `npm install` there when
they are missing. Without Node.js the tests skip, saying so.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from ssoflow import (
    ACCOUNTS,
    AFTER_LOGOUT,
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    PROVIDER_DIR,
    USERS,
    OidcProvider,
)

from engine.config import PROJECT_ROOT
from engine.org.config import UserSpec, parse_organisation
from engine.org.service import load_organisation
from engine.store.database import Database
from engine.store.models.org import User


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_installed() -> None:
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the SSO tests need it to install the OpenID provider (oidc-provider)")
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROVIDER_DIR,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"npm install in tests/sso/provider failed:\n{done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the SSO tests run a real OpenID provider (oidc-provider) on it")
    _ensure_installed()
    port, browser_port = _free_port(), _free_port()
    # The test client's address, and the live server a Chromium journey signs in to (test_sso_browser.py).
    live = f"http://127.0.0.1:{browser_port}"
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                "redirect_uris": [CALLBACK, f"{live}/login/sso/callback"],
                "post_logout_redirect_uris": [AFTER_LOGOUT, f"{live}/login"]}]
    env = {**os.environ, "PORT": str(port), "OIDC_CLIENTS": json.dumps(clients),
           "OIDC_ACCOUNTS": json.dumps(ACCOUNTS, ensure_ascii=False)}
    process = subprocess.Popen([node, "server.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # "READY <issuer>" once it listens, or EOF if it died
    if not line.startswith("READY "):
        process.kill()
        pytest.fail(f"the OpenID provider did not start (exit code {process.wait()}): {line!r}")
    issuer = line.split()[1]
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).raise_for_status()
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield OidcProvider(issuer, process, browser_port)
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def organisation_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The district's organisation (rules/organisation.yaml) with the SSO tests' users, loaded once."""
    path = tmp_path_factory.mktemp("sso") / "organisation.sqlite3"
    shutil.copy(sqlite_template, path)
    config = parse_organisation((PROJECT_ROOT / "rules" / "organisation.yaml").read_text(encoding="utf-8"))
    config.users = [UserSpec(name, name.upper(), dept, PASSWORD, "zh", roles) for name, (dept, roles) in USERS.items()]
    database = Database(f"sqlite:///{path}")
    with database.transaction() as session:
        load_organisation(session, config)
        session.scalars(select(User).where(User.username == "deactivated")).one().active = False
    database.dispose()
    return path


@pytest.fixture
def sso_db(organisation_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "casegrid.sqlite3"
    shutil.copy(organisation_file, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()
