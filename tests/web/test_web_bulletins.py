"""The bulletins page: listed with PDF and Excel downloads for roles that may see bulletins, produced on
demand by those that may publish them; everyone else is refused, and a wrong period changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select
from webtools import page_csrf, signed_in

from engine.commands.bulletins import run_bulletin
from engine.org.access import system_actor
from engine.store.models.bulletins import Bulletin


def _produce(web_db, period: str = "2026-10") -> int:
    with web_db.transaction() as session:
        return run_bulletin(session, system_actor(), "monthly_department_ranking", period).bulletin.id


def _count(web_db) -> int:
    with web_db.transaction(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Bulletin)) or 0


def test_a_supervisor_sees_the_bulletins_and_downloads_them_in_chinese_and_english(app, web_db) -> None:
    bulletin_id = _produce(web_db)
    client = signed_in(app, "sup")
    page = client.get("/bulletins")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "罗湖区城市管理案件办理情况月度通报" in html and "2026年10月" in html and 'href="/bulletins"' in html
    assert f"/bulletins/{bulletin_id}.pdf" in html and f"/bulletins/{bulletin_id}.xlsx" in html
    pdf = client.get(f"/bulletins/{bulletin_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert "monthly_department_ranking-2026-10.pdf" in pdf.headers["Content-Disposition"]
    xlsx = client.get(f"/bulletins/{bulletin_id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    english = client.get(f"/bulletins/{bulletin_id}.pdf?lang=en")
    assert english.status_code == 200 and english.data.startswith(b"%PDF")
    assert "-en.pdf" in english.headers["Content-Disposition"]
    assert client.get("/bulletins/999999.pdf").status_code == 404
    assert client.get(f"/bulletins/{bulletin_id}.pdf?lang=fr").status_code == 422


def test_roles_without_the_ability_are_refused_the_page_the_files_and_the_form(app, web_db) -> None:
    bulletin_id = _produce(web_db)
    client = signed_in(app, "h_cg")
    assert 'href="/bulletins"' not in client.get("/").get_data(as_text=True)
    page = client.get("/bulletins")
    assert page.status_code == 403 and "您的岗位不能查看通报" in page.get_data(as_text=True)
    assert client.get(f"/bulletins/{bulletin_id}.pdf").status_code == 403
    token = page_csrf(client, "/")
    refused = client.post("/bulletins/run", data={"name": "monthly_department_ranking", "period": "2026-09",
                                                  "csrf_token": token})
    assert refused.status_code == 403 and _count(web_db) == 1


def test_a_supervisor_produces_a_bulletin_from_the_page_and_a_wrong_period_changes_nothing(app, web_db) -> None:
    client = signed_in(app, "sup")
    token = page_csrf(client, "/bulletins")
    made = client.post("/bulletins/run", data={"name": "weekly_street_bulletin", "period": "2026-W44",
                                               "csrf_token": token}, follow_redirects=True)
    assert made.status_code == 200 and "已生成：罗湖区各街道案件办理情况周通报" in made.get_data(as_text=True)
    assert _count(web_db) == 1
    wrong = client.post("/bulletins/run", data={"name": "weekly_street_bulletin", "period": "2026-11",
                                                "csrf_token": token})
    assert wrong.status_code == 422 and "不是该通报的统计周期" in wrong.get_data(as_text=True)
    assert 'data-error-for="period"' in wrong.get_data(as_text=True)
    empty = client.post("/bulletins/run", data={"name": "weekly_street_bulletin", "period": "",
                                                "csrf_token": token}, follow_redirects=True)
    assert "请选择通报并填写统计周期" in empty.get_data(as_text=True)
    assert _count(web_db) == 1


def test_a_refused_period_is_said_beside_the_field_on_the_bulletins_page_with_what_was_typed(app, web_db) -> None:
    client = signed_in(app, "sup")
    token = page_csrf(client, "/bulletins")
    for period, status, words in (("2026-13", 422, "不是该通报的统计周期"), ("<script>", 422, "不是该通报的统计周期"),
                                  ("2099-01", 409, "尚未开始"), ("1900-01", 422, "不在可统计的年份范围内"),
                                  ("0001-01", 422, "不在可统计的年份范围内")):
        refused = client.post("/bulletins/run", data={"name": "monthly_department_ranking", "period": period,
                                                      "csrf_token": token})
        html = refused.get_data(as_text=True)
        assert refused.status_code == status, period
        assert 'data-error-for="period" role="alert">' in html and words in html  # beside the field
        assert "已发布的通报" in html and 'action="/bulletins/run"' in html  # the page, not an error page
        assert 'value="monthly_department_ranking" selected' in html
        assert "<script>" not in html.split('name="period"')[1].split(">")[0]  # escaped in the field
    unknown = client.post("/bulletins/run", data={"name": "no_such_bulletin", "period": "2026-10",
                                                  "csrf_token": token})
    assert unknown.status_code == 404 and 'data-error-for="period"' in unknown.get_data(as_text=True)
    assert _count(web_db) == 0


def test_a_bulletins_page_past_the_end_says_so_and_leads_to_the_last_page_not_no_bulletin_yet(app, web_db) -> None:
    _produce(web_db)
    html = signed_in(app, "sup").get("/bulletins?page=99999").get_data(as_text=True)
    assert "第 99999 页没有内容，列表共 1 页。" in html and "/bulletins?page=1" in html
    assert "暂无通报" not in html


def test_a_period_longer_than_any_period_is_told_how_a_period_is_written_not_to_fill_it_in(app, web_db) -> None:
    client = signed_in(app, "sup")
    token = page_csrf(client, "/bulletins")
    refused = client.post("/bulletins/run", data={"name": "monthly_department_ranking", "period": "长" * 5000,
                                                  "csrf_token": token})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-error-for="period"' in html
    assert "统计周期的写法如 2026-11、2026-W45 或 2026-Q4。" in html and "请选择通报并填写统计周期" not in html
    assert _count(web_db) == 0
