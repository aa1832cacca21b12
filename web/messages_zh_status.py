"""Chinese for the statuses that say what a case waits for, and for time-limit notices worded when read."""
from __future__ import annotations

ZH_STATUS: dict[str, str] = {
    "Awaiting registration": "待立案",
    "In handling": "处置中",
    "In handling ({units})": "处置中（{units}）",
    "Waiting for a linked case": "等待关联案件",
    "Waiting for the emergency linkage": "等待应急联动",
    "Waiting for a reminder": "等待到期提醒",
    "Waiting for the reminder due {at}": "等待到期提醒（{at}）",
    "Report {key} has been received; it waits for the dispatcher to register it.":
        "案件 {key} 已上报，待指挥中心立案。",
    "Steps done in period": "期间完成环节",
    "{key} {task}: due at {at}": "{key} {task}：将于 {at} 到期",
    "{key} {task}: overdue since {at}": "{key} {task}：已于 {at} 超期",
    "{key} {task}: done at {at}": "{key} {task}：已于 {at} 办理完毕",
    "{key} {task}: no longer open": "{key} {task}：已不在办理中",
}
