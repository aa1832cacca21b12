"""Every error key the engine raises has a zh and an en text, and the pages word errors from them: Chinese,
people by their names, no raw codes; the API keeps its shape and the engine's English message."""
from __future__ import annotations

import re
from pathlib import Path

from webtools import bearer, csrf_from, open_item, page_csrf, problem_keys_set, signed_in, start_report

from engine.commands.tasks import claim, complete
from engine.org.abilities import REFUSAL_KEYS, Ability
from engine.org.service import actor_for
from web.error_texts import ERROR_TEXTS, placeholders

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"""\bkey="([a-z_]+\.[a-z_]+)\"""")


def _keys_raised() -> dict[str, list[str]]:
    """Keys of errors: problem lines' keys are worded by web/problem_texts.py (tests/web/test_problem_texts.py)."""
    problem_keys = set(problem_keys_set())
    found: dict[str, list[str]] = {}
    for folder in ("engine", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            for match in KEY.finditer(path.read_text(encoding="utf-8")):
                if match.group(1) in problem_keys:
                    continue
                found.setdefault(match.group(1), []).append(path.relative_to(ROOT).as_posix())
    return found


def test_every_error_key_raised_has_a_chinese_and_an_english_text():
    raised = _keys_raised()
    assert len(raised) >= 30  # the scan finds the keys (a broken pattern would pass vacuously)
    missing = {key: where for key, where in raised.items() if key not in ERROR_TEXTS}
    assert not missing, missing
    for key, (zh, en) in ERROR_TEXTS.items():
        assert zh and en and re.search(r"[\u4e00-\u9fff]", zh), key
        assert placeholders(zh) == placeholders(en), key


def test_every_refusal_of_an_ability_has_a_chinese_and_an_english_text():
    assert set(REFUSAL_KEYS) == set(Ability) - {Ability.START_ANY}  # starting is refused per process
    assert not [key for key in REFUSAL_KEYS.values() if key not in ERROR_TEXTS]


def test_a_conflict_page_is_chinese_and_names_the_colleague_not_the_username(app, web_db):
    item = open_item(web_db, start_report(web_db))
    with web_db.transaction() as session:
        claim(session, actor_for(session, "h_cg2"), item.id)
    client = signed_in(app, "h_cg")
    response = client.post(f"/tasks/{item.id}/claim", data={"csrf_token": page_csrf(client, "/")})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "任务「Handle」已由H_CG2认领，您无需再办理。" in html and "claimed by" not in html


def test_a_completed_task_answers_in_chinese_with_what_to_do_next(app, web_db):
    item = open_item(web_db, start_report(web_db))
    client = signed_in(app, "h_cg")
    client.post(f"/tasks/{item.id}/claim", data={"csrf_token": page_csrf(client, "/")})
    token = csrf_from(client.get(f"/tasks/{item.id}").get_data(as_text=True))
    with web_db.transaction() as session:
        complete(session, actor_for(session, "h_cg"), item.id, {"result": "lamp fixed", "hours": 2})
    response = client.post(f"/tasks/{item.id}/complete", data={"csrf_token": token, "result": "x", "hours": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "任务「Handle」已办结，不能再办理。请回到待办列表查看案件的最新环节。" in html
    assert "already completed" not in html


def test_an_invalid_request_page_is_chinese(app):
    # (The dashboard's period says its errors beside the fields instead: tests/web/test_web_dashboard.py.)
    html = signed_in(app, "sup").get("/cases?page=0").get_data(as_text=True)
    # A link's query refused asks for the page's own choices; there are no marked fields to check.
    assert "链接中的筛选条件无法识别" in html and "标出的项目" not in html and "invalid fields" not in html


def test_an_action_address_opened_directly_answers_in_chinese_not_werkzeugs_english(app, web_db):
    # A claim/complete button's address typed or bookmarked is a GET of a POST-only route: a 405 page.
    item = open_item(web_db, start_report(web_db))
    response = signed_in(app, "h_cg").get(f"/tasks/{item.id}/claim")
    html = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "此地址不能直接打开" in html and "not allowed" not in html


def test_the_api_keeps_its_error_shape_and_english_message(app, web_db):
    item = open_item(web_db, start_report(web_db))
    with web_db.transaction() as session:
        claim(session, actor_for(session, "h_cg2"), item.id)
    response = app.test_client().post(f"/api/v1/tasks/{item.id}/claim", headers=bearer(web_db, "h_cg"))
    body = response.get_json()
    assert response.status_code == 409 and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "conflict" and "already claimed by H_CG2" in body["error"]["message"]
