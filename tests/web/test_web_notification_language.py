"""Every kind of notification reads in its reader's language: worded when shown from the key and facts it was
made with (steps, departments and people by their names in that language), exactly as the stored Chinese for
a Chinese reader, and a notice made before keys were recorded as its stored text."""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webtools import PASSWORD, page_csrf, signed_in

from engine.commands.bulletins import run_bulletin
from engine.commands.supervision import decide_extension, urge
from engine.commands.tasks import claim, complete
from engine.commands.timers import fire_due
from engine.definitions.bundle import Bundle
from engine.definitions.service import deploy
from engine.events.service import process_event
from engine.org.config import OrgConfig, UserSpec
from engine.org.service import actor_for, load_organisation, rules_actor_for
from engine.rules.adapter import DurableRules
from engine.rules.ruleset import parse_ruleset
from engine.sla.services import request_extension
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.sla import Notification
from engine.store.models.tasks import WorkItem
from tests.conftest import built_from, built_once, sqlite_database_from
from tests.sla.conftest import FIXTURES, sh
from tests.sla.helpers import start_demo

ACCEPT_ZH, ACCEPT_EN = "受理申请", "Accept the application"
HANDLE_ZH, HANDLE_EN = "现场处置", "Handle on site"
# The acceptance's breach notice has the policy's own words, in Chinese and in English; the handling's the
# engine's, with an escalation to the department's head and one reminder.
POLICY = """
policies:
  - key: demo.accept
    process: sla_demo
    task: accept
    limit: 2
    unit: working_hours
    warning_at: 0.8
    on_breach:
      - {action: notify, message: "受理已超期，请当日受理", message_en: "Acceptance overdue: accept it today"}
  - key: demo.handle
    process: sla_demo
    task: handle
    limit: 4
    unit: working_hours
    warning_at: 0.75
    extendable: true
    on_breach:
      - {action: escalate, to: department_head}
      - {action: notify}
      - {action: remind, every: 1, unit: working_hours, times: 1}
"""
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _process() -> str:
    """The time-limit demo process with Chinese step names, and English ones (nameEn)."""
    xml = (FIXTURES / "sla_demo.bpmn").read_text(encoding="utf-8")
    for english, chinese in ((ACCEPT_EN, ACCEPT_ZH), ("Handle the case", HANDLE_ZH)):
        start = xml.index(f'name="{english}"')
        end = xml.index("</spiffworkflow:properties>", start)
        shown = HANDLE_EN if chinese == HANDLE_ZH else ACCEPT_EN
        xml = (xml[:start] + f'name="{chinese}"' + xml[start + len(f'name="{english}"'):end]
               + f'<spiffworkflow:property name="nameEn" value="{shown}" />' + xml[end:])
    return xml


def _add_heads_and_the_process(database: Database) -> None:
    heads = [UserSpec("head_ch", "HEAD chengguan", "chengguan", PASSWORD, "zh", (("department_head", None),))]
    with database.transaction() as session:
        load_organisation(session, OrgConfig(users=heads))
        deploy(session, Bundle({"processes/sla_demo.bpmn": _process(),
                                "forms/sla_demo_step.json": (FIXTURES / "sla_demo_step.json").read_text(encoding="utf-8"),
                                "rules/sla/sla_demo.yaml": POLICY}), actor="test")


@pytest.fixture(scope="session")
def notices_template(web_template: Path, run_folder: Path) -> Path:
    return built_once(run_folder, "notices-web.sqlite3", built_from(web_template, _add_heads_and_the_process))


@pytest.fixture
def web_db(notices_template: Path, tmp_path: Path) -> Iterator[Database]:
    yield from sqlite_database_from(notices_template, tmp_path)


def _open_item(db: Database, case_id: int) -> WorkItem:
    with db.transaction(readonly=True) as session:
        return session.scalars(select(WorkItem).where(WorkItem.case_id == case_id, WorkItem.status == "open")).one()


def _claimed_by_h_cg(db: Database, case_id: int) -> str:
    item_id = _open_item(db, case_id).id
    with db.transaction() as session:
        claim(session, actor_for(session, "h_cg"), item_id)
    return item_id


def _business_key(db: Database, case_id: int) -> str:
    with db.transaction(readonly=True) as session:
        return session.get(Case, case_id).business_key  # type: ignore[union-attr]


@pytest.fixture
def overdue(web_db: Database) -> dict[str, str]:
    """Two cases on 12 October 2026: one left at 受理申请 (h_cg's, 2 working hours), one at 现场处置 (h_cg's,
    4 working hours from 10:00); at 16:00 both limits have passed, at 17:00 the handling's reminder is due."""
    with time_machine.travel(sh(2026, 10, 12, 9, 0), tick=False):
        waiting, handling = start_demo(web_db), start_demo(web_db)
        _claimed_by_h_cg(web_db, waiting)
        accept = _claimed_by_h_cg(web_db, handling)
    with time_machine.travel(sh(2026, 10, 12, 10, 0), tick=False):
        with web_db.transaction() as session:
            complete(session, actor_for(session, "h_cg"), accept, {})
        _claimed_by_h_cg(web_db, handling)
    with time_machine.travel(sh(2026, 10, 12, 16, 0, 1), tick=False):
        fire_due(web_db, "w1")
    with time_machine.travel(sh(2026, 10, 12, 17, 0, 2), tick=False):
        fire_due(web_db, "w1")
    return {"waiting": _business_key(web_db, waiting), "handling": _business_key(web_db, handling),
            "handling_id": str(handling)}


def _reader(app: Flask, username: str, locale: str) -> FlaskClient:
    client = signed_in(app, username)
    client.post("/locale", data={"locale": locale, "next": "/", "csrf_token": page_csrf(client, "/")})
    return client


def _shown(app: Flask, username: str, locale: str) -> list[tuple[str, str]]:
    """(kind, the notice's words) for each row of the user's notifications page in `locale`."""
    page = _reader(app, username, locale).get("/notifications?all=1").get_data(as_text=True)
    rows = []
    for kind, row in re.findall(r'<li data-kind="([a-z_]+)"[^>]*>(.*?)</li>', page, re.S):
        row = row.split("<form", 1)[0]
        words = re.search(r"<a [^>]*>(.*?)</a>", row, re.S)
        # Without a link: what follows "<time> · <sender>:".
        text = words.group(1) if words else re.sub(r"<[^>]+>", " ", row).split("·", 1)[1].split(":", 1)[1]
        rows.append((kind, " ".join(html.unescape(text).split())))
    return rows


def _stored(db: Database, recipient: str, kind: str) -> list[str]:
    with db.transaction(readonly=True) as session:
        return list(session.scalars(select(Notification.message).where(
            Notification.recipient == recipient, Notification.kind == kind).order_by(Notification.id.desc())))


def _texts(app: Flask, username: str, locale: str, kind: str) -> list[str]:
    return [text for shown_kind, text in _shown(app, username, locale) if shown_kind == kind]


def _in_english_without_chinese(texts: list[str], *free_text: str) -> None:
    """No Chinese left in the notices but what people wrote themselves (a reason, an urging)."""
    for text in texts:
        for part in free_text:
            text = text.replace(part, "")
        assert not CJK.search(text), text


def test_an_escalation_reads_in_english_with_the_step_by_its_english_name(app, web_db, overdue):
    key = overdue["handling"]
    assert _stored(web_db, "head_ch", "sla_escalation") == [f"{key} {HANDLE_ZH}：已于 2026-10-12 16:00 超期"]
    assert _texts(app, "head_ch", "zh", "sla_escalation") == _stored(web_db, "head_ch", "sla_escalation")
    english = _texts(app, "head_ch", "en", "sla_escalation")
    assert english == [f"{key} {HANDLE_EN}: overdue since 2026-10-12 16:00"]
    _in_english_without_chinese(english)


def test_an_overdue_notice_reads_in_english_in_the_engines_words_or_the_policys_own(app, web_db, overdue):
    stored = _stored(web_db, "h_cg", "sla_overdue")
    assert stored == [f"{overdue['handling']} {HANDLE_ZH} 已超期", "受理已超期，请当日受理"]
    assert _texts(app, "h_cg", "zh", "sla_overdue") == stored
    english = _texts(app, "h_cg", "en", "sla_overdue")
    assert english == [f"{overdue['handling']} {HANDLE_EN} is overdue", "Acceptance overdue: accept it today"]
    _in_english_without_chinese(english)


def test_a_reminder_reads_in_english(app, web_db, overdue):
    stored = _stored(web_db, "h_cg", "sla_reminder")
    assert stored == [f"{overdue['handling']} {HANDLE_ZH} 已超期（第 1 次提醒）"]
    assert _texts(app, "h_cg", "zh", "sla_reminder") == stored
    assert _texts(app, "h_cg", "en", "sla_reminder") == [f"{overdue['handling']} {HANDLE_EN} is overdue (reminder 1)"]


def test_a_nearly_due_notice_reads_in_english_from_its_due_time_and_from_its_facts_when_that_is_unknown(
        app, web_db, overdue):
    from flask import session as flask_session

    from web.dashboard.notices import notification_text

    english = _texts(app, "h_cg", "en", "sla_at_risk")
    assert len(english) == 2 and all("overdue since" in text for text in english)  # worded from the due time
    _in_english_without_chinese(english)
    with web_db.transaction(readonly=True) as session:
        note = session.scalars(select(Notification).join(WorkItem, WorkItem.id == Notification.work_item_id).where(
            Notification.kind == "sla_at_risk", WorkItem.task_spec == "handle")).one()
    assert note.message_key == "sla.at_risk"
    # A step whose due time is not known now (its clock paused) reads from the facts the notice was made with.
    now = datetime.now(UTC)
    with app.test_request_context():
        assert notification_text(note, None, now) == note.message
    with app.test_request_context():
        flask_session["locale"] = "en"
        due = re.search(r"将于 (.+) 到期", note.message).group(1)  # type: ignore[union-attr]
        assert notification_text(note, None, now) == f"{overdue['handling']} {HANDLE_EN}: due at {due}"


def test_extension_requests_and_decisions_read_in_english_naming_the_requester(app, web_db, overdue):
    with web_db.transaction() as session:
        asked = request_extension(session, int(overdue["handling_id"]), actor_for(session, "h_cg"), 2, "等材料",
                                  task="handle")
        decide_extension(session, actor_for(session, "head_ch"), asked.id, True, "同意")
        again = request_extension(session, int(overdue["handling_id"]), actor_for(session, "h_cg"), 1.5, "再等",
                                  task="handle", unit="working_days")
        decide_extension(session, actor_for(session, "head_ch"), again.id, False, "不同意")
    key = overdue["handling"]
    requested = _stored(web_db, "head_ch", "sla_extension_requested")
    assert requested == [f"{key}：H_CG 申请延期 1.5 个工作日：再等", f"{key}：H_CG 申请延期 2 个工作小时：等材料"]
    assert _texts(app, "head_ch", "zh", "sla_extension_requested") == requested
    assert _texts(app, "head_ch", "en", "sla_extension_requested") == [
        f"{key}: H_CG asks for 1.5 working days more: 再等", f"{key}: H_CG asks for 2 working hours more: 等材料"]
    decided = _stored(web_db, "h_cg", "sla_extension_approved") + _stored(web_db, "h_cg", "sla_extension_rejected")
    assert decided == [f"{key}：延期 2 个工作小时已批准：同意", f"{key}：延期 1.5 个工作日被驳回：不同意"]
    shown = _shown(app, "h_cg", "zh")
    assert [t for k, t in shown if k == "sla_extension_approved"] + [t for k, t in shown if k == "sla_extension_rejected"] \
        == decided
    english = _shown(app, "h_cg", "en")
    assert [t for k, t in english if k in ("sla_extension_approved", "sla_extension_rejected")] == [
        f"{key}: extension of 1.5 working days rejected: 不同意", f"{key}: extension of 2 working hours approved: 同意"]


def test_an_extension_decided_without_a_note_reads_in_english_without_one(app, web_db, overdue):
    with web_db.transaction() as session:
        asked = request_extension(session, int(overdue["handling_id"]), actor_for(session, "h_cg"), 3, "等材料",
                                  task="handle")
        decide_extension(session, actor_for(session, "head_ch"), asked.id, True)
    key = overdue["handling"]
    assert _stored(web_db, "h_cg", "sla_extension_approved") == [f"{key}：延期 3 个工作小时已批准"]
    assert _texts(app, "h_cg", "zh", "sla_extension_approved") == [f"{key}：延期 3 个工作小时已批准"]
    assert _texts(app, "h_cg", "en", "sla_extension_approved") == [f"{key}: extension of 3 working hours approved"]


def test_an_urging_reads_in_english_with_the_supervisors_words_as_written(app, web_db, overdue):
    with web_db.transaction() as session:
        urge(session, actor_for(session, "sup"), int(overdue["handling_id"]), "今日办结")
    key = overdue["handling"]
    assert _stored(web_db, "h_cg", "urging") == [f"督办 {key}: 今日办结"]
    assert _texts(app, "h_cg", "zh", "urging") == [f"督办 {key}: 今日办结"]
    assert _texts(app, "h_cg", "en", "urging") == [f"Urged {key}: 今日办结"]


RULES = {
    "name": "gauges", "accepts": ["reading"], "session_key": ["gauge"], "session_ttl_seconds": 60,
    "rules": {
        "high": {"when": {"all": [{"m": {"$and": [{"type": "reading"}, {"level": "high"}]}}]},
                 "actions": [{"operation": "notify", "role": "supervisor",
                              "message": "水位偏高：{gauge}", "message_en": "Water level high: {gauge}"}]},
        "low": {"when": {"all": [{"m": {"$and": [{"type": "reading"}, {"level": "low"}]}}]},
                "actions": [{"operation": "notify", "role": "supervisor", "message": "水位偏低：{gauge}"}]},
        "odd": {"when": {"all": [{"m": {"$and": [{"type": "reading"}, {"level": "odd"}]}}]},
                "actions": [{"operation": "notify", "role": "supervisor"}]}},
}


def test_a_rules_notice_reads_in_the_rule_sets_english_words_and_without_them_says_which_rule_matched(app, web_db):
    ruleset = parse_ruleset(json.dumps(RULES), "rules/events/gauges.json")
    with web_db.transaction() as session:
        for n, level in enumerate(("odd", "low", "high")):
            process_event(session, {"type": "reading", "payload": {"gauge": f"G{n}", "level": level}},
                          rules_actor_for("gauge1"), (ruleset,), DurableRules())
    stored = _stored(web_db, "sup", "rule")
    assert stored == ["水位偏高：G2", "水位偏低：G1", "规则 odd 已触发（gauges）"]
    assert _texts(app, "sup", "zh", "rule") == stored
    # A rule set without English words for its message: the message as written is all there is to show.
    assert _texts(app, "sup", "en", "rule") == ["Water level high: G2", "水位偏低：G1", "Rule odd matched (gauges)"]
    english = _reader(app, "sup", "en").get("/notifications").get_data(as_text=True)
    assert "Event rules (for gauge1)" in english and "事件规则" not in english  # the sender, too


def test_a_bulletins_notice_reads_in_english_with_its_english_title_and_period(app, web_db):
    with web_db.transaction() as session:
        run_bulletin(session, actor_for(session, "sup"), "monthly_department_ranking", "2026-10",
                     now=datetime(2026, 11, 3, 2, tzinfo=UTC))
    stored = _stored(web_db, "sup", "bulletin")
    assert len(stored) == 1 and stored[0].endswith("（2026年10月）已发布，请在「通报」页面查阅。")
    assert _texts(app, "sup", "zh", "bulletin") == stored
    english = _texts(app, "sup", "en", "bulletin")
    assert len(english) == 1 and english[0].endswith(" (October 2026) is published; read it on the Bulletins page.")
    _in_english_without_chinese(english)


def test_a_notice_made_before_keys_were_recorded_shows_its_stored_text_in_either_language(app, web_db):
    with web_db.transaction() as session:
        session.add(Notification(recipient="h_cg", kind="urging", message="督办 SE-2026-000001: 旧通知",
                                 created_by="sup", read=False))
    assert _texts(app, "h_cg", "zh", "urging") == ["督办 SE-2026-000001: 旧通知"]
    assert _texts(app, "h_cg", "en", "urging") == ["督办 SE-2026-000001: 旧通知"]


def test_a_notice_whose_facts_do_not_fit_its_key_shows_its_stored_text(app):
    from flask import session as flask_session

    from web.dashboard.notices import notification_text

    broken = Notification(kind="urging", message="督办 SE-1: 快", message_key="case.urged", message_params={"case": "SE-1"})
    unknown = Notification(kind="urging", message="督办 SE-1: 快", message_key="case.someday", message_params={})
    with app.test_request_context():
        flask_session["locale"] = "en"
        now = datetime.now(UTC)
        assert notification_text(broken, None, now) == notification_text(unknown, None, now) == "督办 SE-1: 快"


def test_a_policy_notice_without_english_words_reads_in_the_engines_english_words(app):
    from flask import session as flask_session

    from web.dashboard.notices import keyed_text

    params = {"case": "SD-1", "step": {"name": HANDLE_ZH, "process": "sla_demo", "spec": "handle"},
              "said": {"zh": "已超期，请立即处理"}}
    with app.test_request_context():
        assert keyed_text("sla.overdue", params, {}) == "已超期，请立即处理"
    with app.test_request_context():
        flask_session["locale"] = "en"
        assert keyed_text("sla.overdue", params, {}) == f"SD-1 {HANDLE_EN} is overdue"


def test_the_shipped_recurrence_notice_names_the_subcategory_in_the_readers_language(app, web_db):
    from engine.events.loading import deployed_rulesets

    place = {"subcategory": "0102", "place": "湖贝路 12 号", "grid_cell": "S03C01G01"}
    with web_db.transaction() as session:
        recurrence = tuple(r for r in deployed_rulesets(session) if r.name == "recurrence")
        for kind, key, at in (("case.closed", "SE-2026-000001", "2026-11-02T02:00:00+00:00"),
                              ("case.reported", "SE-2026-000002", "2026-11-20T02:00:00+00:00")):
            process_event(session, {"type": kind, "occurred_at": at, "payload": {
                **place, "case_key": key, "status": "completed" if kind == "case.closed" else "running"}},
                "rules", recurrence, DurableRules())
    stored = _stored(web_db, "sup", "rule")
    assert stored == ["复发：湖贝路 12 号 的 0102 市容环境·暴露垃圾 类问题结案后30日内再次上报（SE-2026-000002）"]
    assert _texts(app, "sup", "zh", "rule") == stored
    english = _texts(app, "sup", "en", "rule")
    assert english == ["Recurrence: a 0102 Exposed rubbish problem at 湖贝路 12 号, reported again within 30 days of "
                       "closure (SE-2026-000002)"]
    _in_english_without_chinese(english, "湖贝路 12 号")
