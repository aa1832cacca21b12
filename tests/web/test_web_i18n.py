"""Every UI string has a Chinese translation; the default language is zh-CN."""
from __future__ import annotations

import re
from pathlib import Path

from engine.calendar import UNITS
from web.messages_zh import ZH
from web.nav import DEFAULT_ITEMS

WEB = Path(__file__).resolve().parents[2] / "web"
CALL = re.compile(r"""\b(?:_|gettext)\(\s*(["'])(.+?)\1""")


def _source_strings() -> set[str]:
    found = {item.label for item in DEFAULT_ITEMS}
    for path in [*WEB.joinpath("templates").rglob("*.html"), *WEB.rglob("*.py")]:
        if "forms" in path.relative_to(WEB).parts or "node_modules" in path.parts:
            continue  # the form templates carry their own texts (web/forms/texts.py)
        found |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_every_ui_string_has_a_chinese_translation():
    missing = sorted(s for s in _source_strings() if s not in ZH)
    assert not missing, missing


def test_pages_are_chinese_unless_english_is_chosen(app):
    html = app.test_client().get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "登录" in html


def test_time_limit_units_read_as_words_in_both_languages(app):
    from engine.sla.wording import UNIT_WORDS
    from web.i18n import duration, limit_unit_text

    assert set(UNIT_WORDS) == set(UNITS)
    with app.test_request_context():
        assert duration(2.0, "working_days") == "2 个工作日"
        assert duration(1.5, "working_hours") == "1.5 个工作小时"
        assert limit_unit_text("days") == "天"
        assert duration(3, "fortnights") == "3 fortnights"  # an unknown code shows as it is
    with app.test_request_context():
        from flask import session

        session["locale"] = "en"
        assert duration(2, "working_days") == "2 working days"


def test_every_audit_action_the_engine_records_reads_as_words_in_the_timeline():
    from web.i18n import ACTION_TEXTS, NOTIFICATION_TEXTS, TIMER_TEXTS

    engine = Path(__file__).resolve().parents[2] / "engine"
    literal = re.compile(r"""action="([a-z_]+)\"""")
    recorded = {m.group(1) for path in engine.rglob("*.py") for m in literal.finditer(path.read_text(encoding="utf-8"))}
    recorded -= {"calendar_year_loaded"}  # not a case's event: no case timeline shows it
    # Built from a status: sla_{clock status}, sla_extension_{decision}, case_{end status}, incident_{status}.
    recorded |= {"sla_met", "sla_met_late", "sla_cancelled", "sla_extension_approved", "sla_extension_rejected",
                 "case_completed", "case_cancelled", "incident_resolved", "incident_cancelled"}
    assert recorded <= set(ACTION_TEXTS), sorted(recorded - set(ACTION_TEXTS))
    texts = [*ACTION_TEXTS.values(), *TIMER_TEXTS.values(), *NOTIFICATION_TEXTS.values()]
    assert all(text in ZH for text in texts), [t for t in texts if t not in ZH]


def test_a_limit_with_less_than_a_minute_left_says_so_instead_of_zero_minutes(app):
    from datetime import UTC, datetime, timedelta

    from web.i18n import time_left

    now = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        assert time_left(now + timedelta(seconds=40), now) == "剩余 不足1分钟"
        assert time_left(now + timedelta(minutes=3, seconds=5), now) == "剩余 3分钟"
        assert time_left(now - timedelta(seconds=20), now) == "已超期 不足1分钟"
