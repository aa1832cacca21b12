"""A list page past the end of its list is an empty page (HTTP 200) that says so and links to the last page;
a page number that is no page (0, -1, abc) is refused in Chinese words, never a 500."""
from __future__ import annotations

import re

import pytest
from webtools import bearer, signed_in, start_report

from engine.sla.notify import notify


@pytest.fixture
def three_cases(web_db) -> list[int]:
    return [start_report(web_db) for _ in range(3)]


@pytest.mark.parametrize("path", ["/cases", "/"])
@pytest.mark.parametrize("page", ["2", "99999", "123456789012"])
def test_a_page_past_the_end_is_an_empty_page_saying_so_with_a_link_to_the_last_page(app, three_cases, path, page):
    client = signed_in(app, "gw1")
    query = {"page": page, "view": "candidate"} if path == "/" else {"page": page, "q": "Broken"}
    response = client.get(path, query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"第 {page} 页没有内容，列表共 1 页。" in html and "暂无内容。" in html
    link = re.search(r'<a href="([^"]+)">转到最后一页（第 1 页）</a>', html)
    assert link is not None and "page=1" in link.group(1)
    if path == "/cases":
        assert "q=Broken" in link.group(1)  # the filter is kept on the way back
        assert "Broken lamp" in client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)


@pytest.mark.parametrize("page", ["2", "99999", "123456789012"])
def test_notifications_past_the_end_are_an_empty_page_with_a_link_to_the_last_page_keeping_all(app, web_db, page):
    with web_db.transaction() as session:
        notify(session, ["gw1"], "urging", "今日办结", created_by="sup")
    client = signed_in(app, "gw1")
    assert "今日办结" in client.get("/notifications").get_data(as_text=True)
    response = client.get("/notifications", query_string={"page": page, "all": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"第 {page} 页没有内容，列表共 1 页。" in html and "今日办结" not in html
    link = re.search(r'<a href="([^"]+)">转到最后一页（第 1 页）</a>', html)
    assert link is not None and "page=1" in link.group(1) and "all=1" in link.group(1)
    assert "今日办结" in client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)


def test_a_page_within_the_list_has_no_past_the_end_notice(app, three_cases):
    html = signed_in(app, "gw1").get("/cases?page=1").get_data(as_text=True)
    assert "Broken lamp" in html and "没有内容" not in html


@pytest.mark.parametrize("path", ["/cases", "/", "/incidents", "/bulletins", "/notifications"])
@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_a_page_number_that_is_no_page_is_refused_in_chinese_not_a_500(app, web_db, path, page):
    refused = signed_in(app, "adm").get(path, query_string={"page": page})
    assert refused.status_code == 422
    assert "链接中的筛选条件无法识别" in refused.get_data(as_text=True)


def test_the_api_lists_past_the_end_answer_an_empty_page_with_the_total(app, web_db, three_cases):
    headers = bearer(web_db, "gw1")
    for path in ("/api/v1/cases", "/api/v1/tasks"):
        body = app.test_client().get(path, query_string={"offset": 999_999}, headers=headers).get_json()
        assert body["items"] == [] and body["offset"] == 999_999 and body["total_at_least"] is False, body
    refused = app.test_client().get("/api/v1/cases", query_string={"offset": -1}, headers=headers)
    assert refused.status_code in (400, 422) and refused.get_json()["error"]["code"]


def test_marking_a_notification_read_returns_to_the_page_it_was_on_keeping_all(app, web_db):
    # Fifty-one notifications: the oldest is alone on page 2. Marking it read there went back to page 1
    # of unread only, away from where the reader was and from 全部.
    with web_db.transaction() as session:
        for n in range(51):
            notify(session, ["gw1"], "urging", f"督办第{n}次", created_by="sup")
    client = signed_in(app, "gw1")
    html = client.get("/notifications", query_string={"page": 2, "all": "1"}).get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/notifications/\d+/read)".*?</form>', html, re.S)
    assert form is not None and 'name="page" value="2"' in form.group(0) and 'name="all" value="1"' in form.group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0)).group(1)
    back = client.post(form.group(1), data={"csrf_token": token, "page": "2", "all": "1"})
    assert back.status_code == 302 and back.location.endswith("/notifications?all=1&page=2")
    # Only the two it understands: a page that is no page is the first, nothing else rides along.
    for page in ("0", "abc", "９", "99999999"):
        other = client.post(form.group(1), data={"csrf_token": token, "page": page, "next": "//evil.example"})
        assert other.status_code == 302 and other.location.endswith("/notifications"), page
