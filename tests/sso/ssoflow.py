"""Driving a sign-in through the real provider: casegrid is the Flask test client, the provider's pages
are fetched with requests as a browser would (its own cookies, one `requests.Session` per browser)."""
from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "casegrid"
CLIENT_SECRET = "casegrid-test-secret"
# The Flask test client's own address: where the provider sends the browser back.
CALLBACK = "http://localhost/login/sso/callback"
AFTER_LOGOUT = "http://localhost/login"

# What the provider says about each account (its dev sign-in page takes any login and any password).
ACCOUNTS: dict[str, dict[str, Any]] = {
    "h_cg": {"name": "陈城管", "department": "城市管理和综合执法局", "roles": ["处置员"]},
    "h_hw": {"name": "何环卫", "department": "城市管理和综合执法局", "roles": ["处置员"]},
    "gw1": {"name": "葛网格", "department": "S01", "roles": ["网格员"]},
    "sup": {"name": "宋督办", "roles": ["督办员", "宇宙管理员"]},
    "newcomer": {"name": "牛新人", "department": "环境卫生管理处"},
    "stranger": {"name": "石陌生"},
    # Known at the platform by another login; casegrid's username is their 工号 (employee_no).
    "chen.chengguan": {"name": "陈城管", "employee_no": "h_cg"},
    "deactivated": {"name": "邓停用"},
    # One person (subject he.huanwei) whose platform login is h_hw and whose 工号 is HW-0042: switching the
    # username claim to employee_no is, to casegrid, the provider renaming them.
    "he.huanwei": {"name": "何环卫", "preferred_username": "h_hw", "employee_no": "HW-0042"},
    # A second platform account (another subject) whose 工号 claim names casegrid's h_hw.
    "impostor": {"name": "冒名者", "employee_no": "h_hw"},
}


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen[str]
    browser_port: int  # the port the Chromium journey's server must listen on (registered at the provider)

    def tamper_next_id_token(self, mode: str) -> None:
        """The next id_token the provider issues comes altered (server.mjs: bad_signature, wrong_audience,
        expired, wrong_nonce, wrong_issuer)."""
        requests.post(f"{self.issuer}/__test/tamper", json={"mode": mode}, timeout=5).raise_for_status()


PASSWORD = "Correct-Horse-42"
USERS = {
    "h_cg": ("chengguan", (("handler", None),)),
    "h_hw": ("huanwei", (("handler", None),)),
    "gw1": ("S01", (("grid_worker", "S01C01G01"),)),
    "sup": (None, (("supervisor", None), ("dispatcher", None))),
    "adm": (None, (("admin", None),)),
    "deactivated": ("chengguan", (("handler", None),)),
}

CASEGRID = "http://localhost"
FORM = re.compile(r"<form[^>]*\baction=\"([^\"]+)\"[^>]*>(.*?)</form>", re.S)
HIDDEN = re.compile(r"<input[^>]*type=\"hidden\"[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", re.S)


def through_provider(browser: requests.Session, url: str, login: str) -> str:
    """Follow the provider from `url` until it sends the browser back to casegrid; sign in as `login` on
    its sign-in page if it shows one. Returns casegrid's URL (the callback with code and state)."""
    for _step in range(12):
        if url.startswith(CASEGRID):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text[:500]
        action, fields = _form(response.text)
        if 'name="login"' in response.text:
            fields.update({"login": login, "password": "any-password"})
        response = browser.post(urljoin(url, action), data=fields, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def _form(page: str) -> tuple[str, dict[str, str]]:
    match = FORM.search(page)
    assert match, page[:500]
    return html.unescape(match.group(1)), {name: html.unescape(value) for name, value in HIDDEN.findall(match.group(2))}


def callback_url(client: FlaskClient, browser: requests.Session, login: str, start: str = "/login/sso") -> str:
    started = client.get(start)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    return through_provider(browser, started.headers["Location"], login)


def sso_sign_in(client: FlaskClient, login: str, browser: requests.Session | None = None,
                start: str = "/login/sso") -> TestResponse:
    """The whole round trip; returns casegrid's answer to the callback."""
    url = callback_url(client, browser or requests.Session(), login, start)
    return client.get(url[len(CASEGRID):])


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page) or \
        re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/profile").status_code == 200
