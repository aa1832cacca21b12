"""What a walk through the product as each demo role turned up, as rules: careless input meets a clear answer
in place, never a dead-end page, and a form that would be refused when sent is refused when asked for."""
from __future__ import annotations

import pytest
from webtools import signed_in

LONG = "垃圾" * 120  # a pasted description, 240 characters


@pytest.mark.parametrize("path", ["/", "/cases"])
def test_a_search_pasted_longer_than_the_box_is_cut_to_it_and_said_beside_the_box(app, web_db, path):
    client = signed_in(app, "h_cg")
    page = client.get(path, query_string={"q": LONG})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "搜索内容过长，只按前 100 个字进行了搜索。" in html and 'data-error-for="q"' in html
    assert 'name="q" maxlength="100"' in html  # the box itself takes no more
    assert f'value="{LONG[:100]}"' in html


@pytest.mark.parametrize("path", ["/", "/cases"])
def test_other_odd_list_queries_are_still_refused_in_words(app, web_db, path):
    refused = signed_in(app, "h_cg").get(path, query_string={"page": "-1"})
    assert refused.status_code == 422 and "链接中的筛选条件无法识别" in refused.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/incidents?status=%3Cscript%3E", "/bulletins?page=-5", "/incidents?page=-1"])
def test_a_hand_edited_filter_link_is_refused_as_a_link_not_as_a_submitted_form(app, web_db, path):
    refused = signed_in(app, "adm").get(path)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "链接中的筛选条件无法识别" in html and "标出的项目" not in html
    assert "<script>" not in html


def test_a_start_form_the_user_may_not_send_is_refused_when_asked_for_not_after_filling_it(app, web_db):
    client = signed_in(app, "gw1")  # a grid worker: licensing applications start at the service window
    refused = client.get("/start/licensing")
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    assert "行政许可" in html and "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert client.get("/start/social_event").status_code == 200  # their own report form opens
