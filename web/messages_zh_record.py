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
}
