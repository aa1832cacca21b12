"""The few fixed words the form templates need, in zh and en."""
from __future__ import annotations

from engine.forms.i18n import normalize_lang

_TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "choose": "请选择",
        "required": "必填",
        "summary_title": "请修正以下问题",
        "submit": "提交",
        "add_files": "添加附件",
        "keep_hint": "取消勾选即移除该附件",
        "open": "查看",
        "yes": "是",
        "no": "否",
        "empty": "—",
        "list_sep": "、",
        "item": "第{n}项：",
        "colon": "：",
    },
    "en": {
        "choose": "Choose…",
        "required": "required",
        "summary_title": "There is a problem",
        "submit": "Submit",
        "add_files": "Add files",
        "keep_hint": "Untick an attachment to remove it",
        "open": "Open",
        "yes": "Yes",
        "no": "No",
        "empty": "—",
        "list_sep": ", ",
        "item": "Item {n}: ",
        "colon": ": ",
    },
}


def texts(lang: str) -> dict[str, str]:
    return _TEXTS[normalize_lang(lang)]
