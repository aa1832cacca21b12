"""A hot spot the event rules start reads in words on its page: its title names the subcategory and the
grid cell by name, and who started it reads as the event rules, not the internal account 'rules'."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from webtools import login

from engine.cases.service import start_case
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
    from engine.events.service import rules_actor_for
    from engine.org.service import display_names

    with web_db.transaction(readonly=True) as session:
        names = display_names(session, ["rules", rules_actor_for("hotline1"), "hotline1", "nobody"])
    assert names["rules"] == "事件规则"
    assert names[rules_actor_for("hotline1")] == f"事件规则（{names['hotline1']}）" and names["hotline1"] != "hotline1"
    assert "nobody" not in names
