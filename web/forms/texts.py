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
        "map_hint": "在地图上点击（手机上轻触）事件位置，经纬度自动填入并显示所在网格；也可使用当前位置或直接填写经纬度。",
        "map_label": "选择事件位置的地图",
        "map_pending": "正在确定所在网格…",
        "map_inside": "所在网格：{name}",
        "map_failed": "暂时无法确定所在网格，提交时将按位置判定",
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
        "map_hint": "Click (or tap) where the event is on the map: the latitude and longitude are filled in and "
                    "the grid cell is shown. You can also use your location or type the coordinates.",
        "map_label": "Map for choosing where the event is",
        "map_pending": "Finding the grid cell…",
        "map_inside": "Grid cell: {name}",
        "map_failed": "The grid cell could not be found just now; it is decided from the position when you submit",
    },
}


def texts(lang: str) -> dict[str, str]:
    return _TEXTS[normalize_lang(lang)]
