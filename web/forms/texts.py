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
        "take_photo": "拍照",
        "photos_taken": "已拍 {n} 张",
        "choose_photos": "从相册或文件中选择",
        "use_location": "使用当前位置",
        "locating": "正在获取位置…",
        "located": "已填入当前位置（精度约 {m} 米）",
        "location_denied": "未获得定位授权，可手动填写",
        "location_failed": "无法获取当前位置，可手动填写",
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
        "take_photo": "Take a photo",
        "photos_taken": "{n} taken",
        "choose_photos": "Choose from photos or files",
        "use_location": "Use my location",
        "locating": "Finding your location…",
        "located": "Your location was filled in (about {m} m)",
        "location_denied": "Location was not allowed; fill it in by hand",
        "location_failed": "Your location could not be found; fill it in by hand",
    },
}


def texts(lang: str) -> dict[str, str]:
    return _TEXTS[normalize_lang(lang)]
