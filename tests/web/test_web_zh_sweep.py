"""The Chinese UI is Chinese on every page every demo user can reach (issue 13, point 4).

Signs in as every demo user of rules/demo_users.yaml on a seeded demo district, renders every page of
the navigation, the start forms, and a few of the cases and tasks the user can see, and fails on any
run of Latin letters in the visible text that is not an allowed term, and on any raw code of the
organisation (role, department, street, community, grid cell).

Visible text is the text between tags: scripts, styles and attribute values are not shown. The studio's
editors (BPMN, DMN, JSON: file paths, process keys, the form text) and the case page's raw process record
show ids on purpose: their area is marked ``data-code-area`` and is left out, but only on studio pages
and for the operators and analysts who may see the process record; anyone else meeting one fails.
"""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.config import PROJECT_ROOT
from engine.incidents.access import may_operate
from engine.org.config import DEMO_USERS_FILE, ORGANISATION_FILE, parse_organisation
from engine.org.service import actor_for
from engine.tasks.inbox import inbox
from engine.tasks.queries import TaskFilter
from tests.conftest import clear_engine_caches
from web import create_app

DEMO_PASSWORD = "demo1234"
PAGES_PER_KIND = 3  # cases and tasks rendered per user: enough to meet every template, fast enough to run often

# Latin text a Chinese page may show, and why. Kept small on purpose: a new entry needs a reason.
ALLOWED_TERMS = {
    "API",  # the REST API, named as such in Chinese documentation
    "REST",
    "Bearer",  # the HTTP authorisation scheme a program must type
    "Authorization",
    "BPMN", "DMN", "JSON", "FEEL",  # the file formats analysts edit
    "YAML",
    "English",  # the language switch names its language in that language
    "km", "h", "KB", "MB",  # units (km/h, file sizes)
}
ALLOWED_PATTERNS = [
    re.compile(r"\b[A-Z]{2}-\d{4}-\d{6}\b"),  # case numbers: LH-2026-000123
    re.compile(r"\b[\w.-]+\.(?:jpe?g|png|gif|webp|pdf|docx?|xlsx?|txt|md|bpmn|dmn|json|yaml|zip)\b", re.I),  # files
    re.compile(r"(?<![\w/])(?:[a-z_]+/)+"),  # folders the studio names: processes/, rules/sla/, docs/
    re.compile(r"\bv\d+\b"),  # version labels
    # official identifiers: 统一社会信用代码 91440303MA5G0E5B5R, licence numbers JY14403030000044
    re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,}\b"),
    re.compile(r"(?<=[\u4e00-\u9fff])[A-Z](?=[\u4e00-\u9fff])"),  # a letter inside an address: 地铁站A口
]
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z_]*")
SKIPPED_ELEMENTS = {"script", "style", "template", "svg"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a person reads: no scripts, styles or attributes, and no marked code area (noted when met)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.parts: list[str] = []
        self.code_area = False

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_ELEMENTS:
            return
        in_code_area = any(name == "data-code-area" for name, _ in attrs)
        self.code_area = self.code_area or in_code_area
        hidden = self._hidden() or tag in SKIPPED_ELEMENTS or in_code_area
        self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> tuple[str, bool]:
        """(the visible text, whether the page has a code area)."""
        parser = cls()
        parser.feed(html)
        parser.close()
        return " ".join(part.strip() for part in parser.parts if part.strip()), parser.code_area


def _organisation_codes() -> set[str]:
    org = parse_organisation((PROJECT_ROOT / ORGANISATION_FILE).read_text(encoding="utf-8"))
    return set(org.roles) | set(org.units)


ORG_CODES = _organisation_codes()
CODE_PATTERN = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, ORG_CODES), key=len, reverse=True))
                          + r")(?![A-Za-z0-9_])")


def offences_in(text: str, allowed: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(word, the text around it) for each raw organisation code, then each Latin run not allowed."""
    shown = text

    def around(match: re.Match[str]) -> str:
        return shown[max(match.start() - 30, 0):match.end() + 30]

    for term in allowed:
        text = re.sub(rf"(?<![\w]){re.escape(term)}(?![\w])", lambda m: " " * len(m.group(0)), text)
    found = [(f"code {m.group(1)}", around(m)) for m in CODE_PATTERN.finditer(text)]
    for pattern in ALLOWED_PATTERNS:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    found += [(m.group(0), around(m)) for m in LATIN_RUN.finditer(text) if m.group(0) not in ALLOWED_TERMS]
    return found


def offending_words(text: str) -> list[str]:
    return [word for word, _context in offences_in(text)]


def _demo_usernames() -> list[str]:
    document = yaml.safe_load((PROJECT_ROOT / DEMO_USERS_FILE).read_text(encoding="utf-8"))
    return [str(user["username"]) for user in document["users"]]


@pytest.fixture(scope="module")
def demo_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The seeded demo district, copied once for the module: the sweep only reads."""
    folder = tmp_path_factory.mktemp("zh-sweep")
    path = folder / "demo.sqlite3"
    shutil.copy(demo_template, path)
    clear_engine_caches()
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test-secret", "TESTING": True,
                      "UPLOAD_DIR": str(folder / "uploads")})
    yield app
    app.extensions["casegrid_db"].dispose()
    clear_engine_caches()


def _sign_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302, f"{username} cannot sign in with the demo password"
    return client


def _links(html: str, pattern: str) -> list[str]:
    seen: list[str] = []
    for link in re.findall(rf'href="({pattern})"', html):
        if link not in seen:
            seen.append(link)
    return seen


def _operates(app: Flask, username: str) -> bool:
    """Operators and analysts (who fix processes) may see the raw process record."""
    with app.extensions["casegrid_db"].transaction(readonly=True) as session:
        return may_operate(actor_for(session, username))


def _visible_tasks(app: Flask, username: str) -> list[str]:
    database = app.extensions["casegrid_db"]
    with database.transaction(readonly=True) as session:
        actor = actor_for(session, username)
        rows, _total = inbox(session, actor, TaskFilter(scope="all", status="any"), limit=PAGES_PER_KIND, offset=0)
        return [f"/tasks/{row.item.id}" for row in rows]


def _pages_of(app: Flask, client: FlaskClient, username: str) -> Iterator[tuple[str, str]]:
    """(path, html) for every page the user reaches: the navigation, start forms, a few cases and tasks."""
    home = client.get("/").get_data(as_text=True)
    nav = re.search(r'<nav class="cg-nav".*?</nav>', home, re.S)
    assert nav, "no navigation"
    paths = ["/", *[p for p in _links(nav.group(0), r"/[^\"]*") if p != "/"], "/profile"]
    start = client.get("/start").get_data(as_text=True)
    paths += _links(start, r"/start/[^\"]+")
    cases = client.get("/cases").get_data(as_text=True)
    paths += _links(cases, r"/cases/\d+")[:PAGES_PER_KIND]
    paths += _visible_tasks(app, username)
    if username == "analyst":  # the studio's pages behind its index: a process, its modeler, a decision, a form
        studio = client.get("/studio/").get_data(as_text=True)
        for pattern in (r"/studio/processes/[^\"/]+", r"/studio/processes/[^\"/]+/edit",
                        r"/studio/processes/[^\"/]+/migration", r"/studio/decisions/[^\"]+",
                        r"/studio/forms/[^\"]+"):
            paths += _links(studio, pattern)[:1]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, f"{username}: {path} answers {response.status_code}"
        yield path, response.get_data(as_text=True)


SHARDS = 3  # every user is swept; dealt into shards so that the xdist workers share the sweep


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_every_demo_user_reaches_is_chinese(demo_app: Flask, shard: int) -> None:
    usernames = _demo_usernames()
    with demo_app.app_context():
        database = demo_app.extensions["casegrid_db"]
        with database.transaction(readonly=True) as session:
            from engine.store.models.org import User

            active = set(session.scalars(select(User.username).where(User.active.is_(True))))
    assert set(usernames) <= active, "every demo user is loaded"
    offences: dict[str, set[str]] = {}
    contexts: dict[str, str] = {}
    for username in usernames[shard::SHARDS]:
        client = _sign_in(demo_app, username)
        operates = _operates(demo_app, username)
        for path, html in _pages_of(demo_app, client, username):
            text, code_area = VisibleText.of(html)
            if code_area and not (path.startswith("/studio/") or operates):
                offences.setdefault("a code area", set()).add(f"{username} {path}")
                contexts.setdefault("a code area", "ids shown to someone who does not fix processes")
            # The profile shows the user name people type to sign in; nowhere else names a user by it.
            own = frozenset({username}) if path == "/profile" else frozenset()
            for word, context in offences_in(text, own):
                offences.setdefault(word, set()).add(f"{username} {path}")
                contexts.setdefault(word, context)
    report = [f"{word!r} on {len(where)} pages, e.g. {sorted(where)[0]}: «{contexts[word]}»"
              for word, where in sorted(offences.items())]
    assert report == [], "\n".join(report)


@pytest.mark.parametrize("text,expected", [
    ("案件 LH-2026-000123 的照片 photo_1.jpg 已上传", []),
    ("部门 jd_S03 网格 S03C01G01", ["code jd_S03", "code S03C01G01", "jd_S", "S", "C", "G"]),
    ("角色 grid_worker", ["code grid_worker", "grid_worker"]),
    ("流程 社会事件 / Social event", ["Social", "event"]),
    ("API 令牌 · BPMN v2 · 60 km/h", []),
])
def test_the_sweep_sees_latin_words_and_raw_codes(text: str, expected: list[str]) -> None:
    assert offending_words(text) == expected


def test_visible_text_leaves_out_scripts_styles_attributes_and_notes_code_areas() -> None:
    html = ('<p title="grid_worker">办理</p><script>var a = "dispatcher";</script><style>.x{color:red}</style>'
            '<img alt="photo"><b>结案</b>')
    assert VisibleText.of(html) == ("办理 结案", False)
    assert VisibleText.of('<p>办理</p><div data-code-area><code>Task_1</code></div>') == ("办理", True)


def test_only_the_signed_in_users_own_name_is_allowed_where_it_is_allowed() -> None:
    assert offending_words("用户名 gw_s01c01g01") == ["gw_s", "c", "g"]
    assert offences_in("用户名 gw_s01c01g01", frozenset({"gw_s01c01g01"})) == []


def _first_case_page(client: FlaskClient) -> str:
    """A social-event case (its lanes: grid worker, dispatcher, handler, supervisor, hotline)."""
    cases = client.get("/cases?process_key=social_event").get_data(as_text=True)
    return _links(cases, r"/cases/\d+")[0]


def test_the_case_diagram_names_its_lanes_by_role_and_its_pool_in_one_language(demo_app: Flask) -> None:
    client = _sign_in(demo_app, "dispatcher1")
    xml = client.get(_first_case_page(client) + "/diagram.bpmn").get_data(as_text=True)
    lanes = re.findall(r'<bpmn:lane\b[^>]*\bname="([^"]*)"', xml)
    assert lanes and "受理派遣员" in lanes and not set(lanes) & ORG_CODES
    pools = re.findall(r'<bpmn:participant\b[^>]*\bname="([^"]*)"', xml)
    assert pools and all(not LATIN_RUN.search(name) for name in pools)


def test_the_raw_process_record_shows_to_operators_and_analysts_only(demo_app: Flask) -> None:
    dispatcher = _sign_in(demo_app, "dispatcher1")
    path = _first_case_page(dispatcher)
    assert "cg-other-data" not in dispatcher.get(path).get_data(as_text=True)
    admin_page = _sign_in(demo_app, "admin").get(path).get_data(as_text=True)
    assert "cg-other-data" in admin_page and "流程记录" in admin_page


def test_the_dashboard_names_its_end_date_as_a_date_not_a_transfer_target(demo_app: Flask) -> None:
    page = _sign_in(demo_app, "supervisor1").get("/dashboard").get_data(as_text=True)
    assert "截止日期" in page and "转给" not in page
