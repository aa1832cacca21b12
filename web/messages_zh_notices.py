"""Chinese of the notifications' texts (web/dashboard/notices.py): each the very words the engine stores as
a notice's message, so a Chinese reader reads a notice as it was sent."""
from __future__ import annotations

ZH_NOTICES: dict[str, str] = {
    # time limits (engine.reactions.time_limit_timers)
    "{case} {task} ({unit})": "{case} {task}（{unit}）",
    "{step}: due at {at}": "{step}：将于 {at} 到期",
    "{step}: overdue since {at}": "{step}：已于 {at} 超期",
    "{step} is overdue": "{step} 已超期",
    "{step} is overdue (reminder {n})": "{step} 已超期（第 {n} 次提醒）",
    # extensions and urging (engine.sla.services)
    "{case}: {person} asks for {amount} more: {reason}": "{case}：{person} 申请延期 {amount}：{reason}",
    "Extension of {amount} approved": "延期 {amount}已批准",
    "{case}: extension of {amount} approved": "{case}：延期 {amount}已批准",
    "Extension of {amount} approved: {note}": "延期 {amount}已批准：{note}",
    "{case}: extension of {amount} approved: {note}": "{case}：延期 {amount}已批准：{note}",
    "Extension of {amount} rejected": "延期 {amount}被驳回",
    "{case}: extension of {amount} rejected": "{case}：延期 {amount}被驳回",
    "Extension of {amount} rejected: {note}": "延期 {amount}被驳回：{note}",
    "{case}: extension of {amount} rejected: {note}": "{case}：延期 {amount}被驳回：{note}",
    "Urged {case}: {message}": "督办 {case}: {message}",
    # event rules (engine.events.actions) and bulletins (engine.bulletins.service)
    "Rule {rule} matched ({ruleset})": "规则 {rule} 已触发（{ruleset}）",
    '"{title}" ({period}) is published; read it on the Bulletins page.': "《{title}》（{period}）已发布，请在「通报」页面查阅。",
    # who sent a notice (engine.org.service.ENGINE_ACCOUNTS)
    "Event rules": "事件规则",
    "Event rules (for {person})": "事件规则（{person}）",
}
