"""Every UI string has a Chinese translation; the default language is zh-CN."""
from __future__ import annotations

import re
from pathlib import Path

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
