"""Hostile requests get a clear 4xx, never a 500: deep JSON, oversized JSON, off-site `next` targets."""
from __future__ import annotations

import pytest
from webtools import PASSWORD, bearer, page_csrf

OFF_SITE = ["/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/x\r\nSet-Cookie: a=b",
            "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/\\evil.example",
            "https://evil.example/", "//evil.example", " //evil.example", "\t//evil.example",
            "/%0d%0aLocation: //evil.example"]


@pytest.mark.parametrize("target", OFF_SITE, ids=range(len(OFF_SITE)))
def test_login_next_only_ever_leads_to_a_same_site_path(client, target):
    token = page_csrf(client)
    response = client.post("/login", data={"username": "h_cg", "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_keeps_a_same_site_path_with_its_query(client):
    token = page_csrf(client)
    response = client.post("/login", data={"username": "h_cg", "password": PASSWORD, "csrf_token": token,
                                           "next": "/cases?q=%E8%B7%AF%E7%81%AF&page=2"})
    assert response.headers["Location"] == "/cases?q=%E8%B7%AF%E7%81%AF&page=2"


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 100_000, '{"data": ' + "[" * 500 + "]" * 500 + "}"],
                         ids=["100k_brackets", "100k_objects", "500_deep"])
def test_deeply_nested_json_is_a_400_not_an_internal_error(app, web_db, body):
    api, headers = app.test_client(), bearer(web_db, "sup")
    for url in ("/api/v1/cases", "/api/v1/events"):
        response = api.post(url, data=body, headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == 400, response.get_data(as_text=True)[:200]
        assert response.get_json()["error"]["code"] == "bad_request"


def test_a_json_body_over_the_limit_is_a_413_with_a_clear_error(app, web_db):
    api, headers = app.test_client(), bearer(web_db, "sup")
    body = '{"process_key": "web_flow", "data": {"title": "' + "x" * (3 * 1024 * 1024) + '"}}'
    response = api.post("/api/v1/cases", data=body, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
