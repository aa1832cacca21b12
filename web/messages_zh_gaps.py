"""Chinese for the dashboard's case figures (issue: KPIs count cases, the tables count steps)."""
from __future__ import annotations

ZH_GAPS: dict[str, str] = {
    "Cases closed in period": "期间办结案件",
    "Cases closed on time": "案件按期办结率",
    "Cases closed by their own due date with no step late, among the closed cases that had a time limit":
        "有办理时限的已办结案件中，在案件期限内办结且没有任何环节超期的比例",
    "Steps by department": "各部门环节办理情况",
    "Steps by process step": "各环节办理情况",
    "Steps done on time": "环节按期完成率",
    "Steps done in time": "按期完成环节",
    "Steps done late": "超期完成环节",
    "Cases received and closed per day: a case closes on time when it met its own due date and no step of it was late.":
        "按日统计收到和办结的案件：案件在自身期限内办结且没有任何环节超期，即为按期办结。",
    "Cases received": "收到案件",
    "Cases closed in time": "按期办结案件",
    "Cases closed late": "超期办结案件",
}
