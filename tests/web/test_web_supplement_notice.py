"""The one-time notice to supplement (一次性告知补正, 行政许可法第三十二条) is what the window works from when
the applicant comes back: the 申请人补正 page offers the materials the notice named, in words, not the whole
catalogue of every licence's materials."""
from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from webtools import login

from engine.cases.service import start_case
from engine.commands.tasks import claim, complete
from engine.org.service import actor_for
from engine.store.database import Database
from tests.families.test_licensing import FOOD
from tests.social_event.helpers import only_item

DEMO_PASSWORD = "demo1234"  # rules/demo_users.yaml


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def test_the_supplement_page_offers_exactly_the_materials_the_notice_named(app: Flask, web_db: Database) -> None:
    incomplete = {**FOOD, "materials_submitted": ["application_form", "business_licence", "id_card", "premises_layout"]}
    with web_db.transaction() as session:
        window = actor_for(session, "window1")
        case_id = start_case(session, "licensing", incomplete, window).id
    accept = only_item(web_db, case_id, "accept")
    with web_db.transaction() as session:
        window = actor_for(session, "window1")
        claim(session, window, accept.id)
        complete(session, window, accept.id, {"acceptance_decision": "supplement", "extra_missing": ["id_card"]})
    supplement = only_item(web_db, case_id, "supplement")
    with web_db.transaction() as session:
        claim(session, actor_for(session, "window1"), supplement.id)

    page = _client(app, "window1").get(f"/tasks/{supplement.id}").get_data(as_text=True)

    offered = re.findall(r'name="materials_supplemented"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="materials_supplemented"',
                         page)
    assert sorted(a or b for a, b in offered) == ["food_safety_rules", "id_card", "staff_health_certs"]
    for words in ("食品安全管理制度", "从业人员健康证明", "法定代表人身份证明"):
        assert words in page
    assert "水质检测报告" not in page  # another licence's material, never asked of this applicant
