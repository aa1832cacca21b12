"""Chinese for the case record a task page and the case page show (engine.cases.record); merged into
web.messages_zh.ZH."""
from __future__ import annotations

ZH_RECORD: dict[str, str] = {
    "The case": "案件情况",
    "Earlier steps": "办理经过",
    "Case number": "案件编号",
    "Category": "事件类别",
    "Address": "地址",
    "Grid cell": "所在网格",
    "Reported by": "上报",
    "Time limit of {task}": "「{task}」时限",
    "Time limit of the case": "案件时限",
    # A paused case's deadline and a provisional one (engine.sla.case_marks).
    "since {at}": "自 {at} 起",
    "{n} working days left": "剩余 {n} 个工作日",
    "1 working day left": "剩余 1 个工作日",
    "Paused ({details})": "暂停计时（{details}）",
    "Paused since {at}": "自 {at} 起暂停计时",
    " (provisional: the {years} public holiday schedule is not published)": "（暂定：{years} 年节假日安排未发布）",
    "Computed by the weekend-only rule: the {years} holiday schedule is not loaded; it may move.":
        "按仅含周末的规则推算：{years} 年节假日安排尚未载入，载入后重新计算，期限可能变动。",
}
