"""How a bulletin reads, in Chinese (the district's language) or English: measure names, values, and the
红榜/黑榜 sentences built from the conditions that put a unit on a list."""
from __future__ import annotations

from typing import Any

MEASURE_WORDS: dict[str, tuple[str, str]] = {
    "received": ("受理案件数", "Cases received"),
    "closed": ("结案数", "Cases closed"),
    "on_time_rate": ("按期结案率", "On-time closure rate"),
    "overdue": ("超期件数", "Overdue"),
    "overdue_days": ("累计超期（工作日）", "Days overdue (working days)"),
    "returns": ("退回次数", "Returns"),
    "reworks": ("返工次数", "Reworks"),
    "urges": ("被督办次数", "Urges received"),
    "satisfaction": ("满意率", "Satisfaction"),
}
COMPARATOR_WORDS: dict[str, tuple[str, str]] = {
    "at_least": ("不低于", "at least"), "at_most": ("不高于", "at most"),
    "above": ("高于", "above"), "below": ("低于", "below"),
}
SCOPE_WORDS: dict[str, tuple[str, str]] = {
    "department": ("部门", "Department"), "street": ("街道", "Street"), "district": ("全区", "District"),
}
TEXTS: dict[str, tuple[str, str]] = {
    "rank": ("排名", "Rank"),
    "unit": ("单位", "Unit"),
    "total": ("全区合计", "District total"),
    "red": ("红榜", "Honour roll"),
    "black": ("黑榜", "Criticism list"),
    "not_ranked": ("不参与排名", "not ranked"),
    "period": ("统计周期", "Period"),
    "generated": ("生成时间", "Produced"),
    "provisional": ("统计周期尚未结束，数据为阶段性数据。", "The period has not ended; the figures are provisional."),
    "red_sentence": ("以下单位列入红榜，予以表扬：", "On the honour roll, commended:"),
    "black_sentence": ("以下单位列入黑榜，予以通报批评，请限期整改：",
                       "On the criticism list, to correct without delay:"),
    "none_listed": ("无。", "None."),
    "min_closed": ("结案数少于 {n} 件的单位不参与排名。", "Units with fewer than {n} closed cases are not ranked."),
    "figures": ("统计数据", "Figures"),
    "lists": ("红黑榜", "Honour and criticism lists"),
    "chart": ("按期结案率", "On-time closure rate"),
}


def word(key: str, lang: str) -> str:
    zh, en = TEXTS[key]
    return zh if lang == "zh" else en


def measure_name(measure: str, lang: str) -> str:
    zh, en = MEASURE_WORDS.get(measure, (measure, measure))
    return zh if lang == "zh" else en


def value_text(measure: str, value: Any) -> str:
    if value is None:
        return "—"
    if measure in ("on_time_rate", "satisfaction"):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def condition_text(condition: list[Any], lang: str) -> str:
    measure, comparator, value = condition
    zh, en = COMPARATOR_WORDS[comparator]
    shown = value_text(measure, value) if measure in ("on_time_rate", "satisfaction") else f"{value:g}"
    return (f"{measure_name(measure, 'zh')}{zh}{shown}" if lang == "zh"
            else f"{measure_name(measure, 'en').lower()} {en} {shown}")


def unit_name(row: dict[str, Any], lang: str) -> str:
    return row["name_zh"] if lang == "zh" else (row.get("name_en") or row["name_zh"])


def listed(figures: dict[str, Any], which: str, lang: str) -> list[tuple[str, str]]:
    """(unit name, why) for each unit on the red or black list."""
    sep = "，" if lang == "zh" else ", "
    return [(unit_name(row, lang), sep.join(condition_text(c, lang) for c in row["reasons"]))
            for row in figures["rows"] if row.get("list") == which]
