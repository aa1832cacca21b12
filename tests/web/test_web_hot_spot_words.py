"""A hot spot the event rules start reads in words on its page: its title names the subcategory and the
grid cell by name, and who started it reads as the event rules, not the internal account 'rules'."""
from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from webtools import login

from engine.cases.service import start_case
from engine.forms.filling import Filler
from engine.org.service import actor_for
from engine.store.database import Database
from engine.store.models.cases import Case
from tests.social_event.helpers import REPORT

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml


def _hot_spot_after_three_reports(web_db: Database) -> Case:
    with web_db.transaction() as session:
        for n in range(3):
            start_case(session, "social_event", {**REPORT, "title": f"湖贝路口暴露垃圾 第{n + 1}次"},
                       actor_for(session, "hotline1"))
    with web_db.transaction(readonly=True) as session:
        return session.scalars(select(Case).where(Case.process_key == "hot_spot")).one()


def test_a_hot_spots_title_names_its_subcategory_and_grid_cell_not_their_codes(web_db):
    title = _hot_spot_after_three_reports(web_db).title
    assert title.startswith("热点：") and "暴露垃圾" in title and "湖贝社区第1网格" in title
    assert "S03C01G01" not in title and "网格 S03" not in title


def test_the_hot_spot_page_names_the_event_rules_as_who_started_it(app: Flask, web_db):
    case = _hot_spot_after_three_reports(web_db)
    client = app.test_client()
    assert login(client, "supervisor1", DEMO_PASSWORD).status_code == 302
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    header = html[html.index('<header class="cg-page-header">'):]
    header = header[:header.index("</header>")]
    assert "由 事件规则" in header and "由 rules" not in header
    assert ">rules<" not in html


def test_what_the_rules_did_for_someones_event_is_named_after_the_rules_and_that_person(web_db):
    from engine.org.service import display_names, rules_actor_for

    with web_db.transaction(readonly=True) as session:
        names = display_names(session, ["rules", rules_actor_for("hotline1"), "hotline1", "nobody"])
    assert names["rules"] == "事件规则"
    assert names[rules_actor_for("hotline1")] == f"事件规则（{names['hotline1']}）" and names["hotline1"] != "hotline1"
    assert "nobody" not in names



def _answers(html: str, section_id: str) -> dict[str, str]:
    """label -> value of each answer in the page's section (tags stripped)."""
    section = html[html.index(f'id="{section_id}"'):]
    section = section[:section.index("</section>")] if "</section>" in section else section
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", section, re.S)
    return {re.sub(r"<[^>]+>|\s+", "", k): re.sub(r"<[^>]+>|\s+", "", v) for k, v in pairs}


def _shown_text(html: str) -> str:
    """What a reader sees of the page's main part: tags, attributes and scripts left out."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", main, flags=re.S))


def test_the_hot_spot_page_names_its_subcategory_and_grid_cell_not_their_codes(app: Flask, web_db):
    case = _hot_spot_after_three_reports(web_db)  # subcategory 0102, grid cell S03C01G01
    client = app.test_client()
    assert login(client, "supervisor1", DEMO_PASSWORD).status_code == 302
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    record = _answers(html, "cg-case-record")
    assert record["小类"] == "0102市容环境·暴露垃圾" and record["网格"] == "湖贝社区第1网格"
    shown = _shown_text(html)
    assert "S03C01G01" not in shown and not re.search(r"(?<![0-9])0102(?![0-9 ])", shown)


def test_a_hot_spot_posted_with_a_subcategory_the_catalogue_does_not_know_shows_its_code_as_it_is(
        app: Flask, web_db):
    with web_db.transaction() as session:
        case_id = start_case(session, "hot_spot", {"title": "外部系统推送的热点", "category": "9901",
                                                   "grid_cell": "S03C01G01", "report_count": 3},
                             actor_for(session, "supervisor1"), filler=Filler.RULES).id
    client = app.test_client()
    assert login(client, "supervisor1", DEMO_PASSWORD).status_code == 302
    record = _answers(client.get(f"/cases/{case_id}").get_data(as_text=True), "cg-case-record")
    assert record["小类"] == "9901" and record["网格"] == "湖贝社区第1网格"
