"""A person reads as colleagues know them: their name as written and the unit they work in, which is ours -
in English the unit's English name (周洋 (Urban management and law enforcement)); Chinese pages as written."""
from __future__ import annotations

from sqlalchemy import select
from webtools import open_item, page_csrf, page_text, reading_in, start_report

from engine.commands.tasks import claim
from engine.org.service import actor_for, display_names, rules_actor_for
from engine.store.database import Database
from engine.store.models.org import User


def _named(web_db: Database, **names: str) -> None:
    with web_db.transaction() as session:
        for username, shown in names.items():
            session.scalars(select(User).where(User.username == username)).one().display_name = shown


def test_a_persons_unit_reads_in_english_and_their_own_name_as_written(app, web_db):
    _named(web_db, h_cg="周洋（城市管理和综合执法局）", gw1="尹涛（桂园社区第1网格）", ana="王伟（业务分析）",
           h_hw="马杰")
    with web_db.transaction(readonly=True) as session:
        english = display_names(session, ["h_cg", "gw1", "ana", "h_hw", rules_actor_for("gw1"), "rules"], "en")
        chinese = display_names(session, ["h_cg", "gw1", "ana", "h_hw", rules_actor_for("gw1"), "rules"])
    assert english == {
        "h_cg": "周洋 (Urban management and law enforcement)",
        "gw1": "尹涛 (Guiyuan grid 1)",  # the grid cell the role is scoped to, not the street office
        "ana": "王伟 (Business analyst)",  # no unit: the role
        "h_hw": "马杰",  # a display name that names no unit reads as written
        rules_actor_for("gw1"): "Event rules (for 尹涛 (Guiyuan grid 1))",
        "rules": "Event rules"}
    assert chinese == {"h_cg": "周洋（城市管理和综合执法局）", "gw1": "尹涛（桂园社区第1网格）", "ana": "王伟（业务分析）",
                       "h_hw": "马杰", rules_actor_for("gw1"): "事件规则（尹涛（桂园社区第1网格））", "rules": "事件规则"}


def test_pages_in_english_name_people_with_their_unit_in_english(app, web_db):
    _named(web_db, h_cg="周洋（城市管理和综合执法局）", gw1="尹涛（桂园社区第1网格）")
    case_id = start_report(web_db)
    english = reading_in(app, "h_cg", "en")
    case = page_text(english, f"/cases/{case_id}")
    assert "尹涛 (Guiyuan grid 1)" in case and "桂园社区第1网格" not in case
    assert ">周洋 (Urban management and law enforcement)</a>" in case  # the header: who is signed in
    assert "<h1>周洋 (Urban management and law enforcement)</h1>" in page_text(english, "/profile")
    chinese = page_text(reading_in(app, "h_cg", "zh"), f"/cases/{case_id}")
    assert "尹涛（桂园社区第1网格）" in chinese and ">周洋（城市管理和综合执法局）</a>" in chinese


def test_a_tasks_holder_and_colleagues_read_with_their_unit_in_english(app, web_db):
    _named(web_db, h_cg="周洋（城市管理和综合执法局）", h_cg2="吴军（城市管理和综合执法局）")
    item = open_item(web_db, start_report(web_db))
    with web_db.transaction() as session:
        claim(session, actor_for(session, "h_cg"), item.id)
    holder = reading_in(app, "h_cg", "en")
    assert ">吴军 (Urban management and law enforcement)</option>" in page_text(holder, f"/tasks/{item.id}")  # transfer to
    colleague = reading_in(app, "h_cg2", "en")
    assert "周洋 (Urban management and law enforcement)" in page_text(colleague, "/?view=department")
    refused = colleague.post(f"/tasks/{item.id}/claim", data={"csrf_token": page_csrf(colleague, "/")})
    assert refused.status_code == 409
    assert "claimed by 周洋 (Urban management and law enforcement)" in refused.get_data(as_text=True)
