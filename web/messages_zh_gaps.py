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
    "New cases per day; closures here are steps, each against its own time limit.":
        "按日统计新立案件；图中的完成数按环节计，各环节按其自身时限判断是否按期。",
}
