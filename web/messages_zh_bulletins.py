"""Chinese texts of the bulletins page (web/bulletins); the bulletins' own words are in engine.bulletins.wording."""
from __future__ import annotations

ZH_BULLETINS: dict[str, str] = {
    "Bulletins": "通报",
    "Bulletin": "通报",
    "Bulletins are produced when their period closes, on the first working day after it; each holds the figures "
    "of every unit, its ranking and the honour and criticism lists.":
        "通报在统计周期结束后的第一个工作日自动生成，列出各单位的办理数据、排名及红黑榜。",
    "Published bulletins": "已发布的通报",
    "Period": "统计周期",
    "Honour roll": "红榜",
    "Criticism list": "黑榜",
    "Produced": "生成时间",
    "Download": "下载",
    "provisional": "阶段性",
    "revision {n}": "第 {n} 次修订",
    "No bulletin yet.": "暂无通报。",
    "Produce a bulletin": "生成通报",
    "Produces the bulletin of a period now; one already produced is recomputed with the data as it stands "
    "(late data).": "立即生成指定周期的通报；已生成的通报将按当前数据重新统计（补录数据）。",
    "Produce": "生成",
    "Choose a bulletin and write its period.": "请选择通报并填写统计周期。",
    "A period is written like 2026-11, 2026-W45 or 2026-Q4.": "统计周期的写法如 2026-11、2026-W45 或 2026-Q4。",
    "Produced: {title} ({period}).": "已生成：{title}（{period}）。",
    "Recomputed: {title} ({period}).": "已重新统计：{title}（{period}）。",
    "Bulletin published": "通报",
}
