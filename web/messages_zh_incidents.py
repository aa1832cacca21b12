"""Chinese for the incident strings (operator page, dashboard, case page); merged into web.messages_zh.ZH."""
from __future__ import annotations

ZH_INCIDENTS: dict[str, str] = {
    "Incidents": "异常",
    "Has incident": "有异常",
    "Incident opened": "发生异常",
    "Failed again": "再次失败",
    "Retry failed": "重试失败",
    "Incident resolved": "异常已解决",
    "Moved to another version of the process": "迁移到流程的另一版本",
    "Incident cancelled": "异常已撤销",
    "Script or condition failed": "脚本或条件出错",
    "Message nobody receives": "消息无人接收",
    "Background processing failed": "后台处理出错",
    "Case waits on nothing": "案件停滞（无待办、无计时、无消息）",
    "User action failed": "用户操作失败",
    "Open incident": "待处理",
    "Resolved": "已解决",
    "All": "全部",
    "Kind": "类型",
    "Attempts": "尝试次数",
    "Last failure": "最近失败时间",
    "(not started)": "（未能立案）",
    "Retry": "重试",
    "reason": "原因",
    "Cancel the case": "撤销案件",
    "Dismiss": "忽略",
    "Cases that cannot move": "无法推进的案件",
    "User actions that keep failing": "反复失败的用户操作",
    "A case with an incident cannot move until it is retried (after the cause is fixed, e.g. a corrected version "
    "deployed and the case migrated) or cancelled.":
        "有异常的案件无法继续推进，须在排除原因（例如部署修正后的版本并迁移案件）后重试，或撤销案件。",
    "The user was told and nothing changed; a step that fails again and again usually needs a fix in its "
    "definition.": "用户已收到提示，案件未发生变化；反复失败的环节通常需要修正流程定义。",
    "Retried: the case moves on and the incident is resolved.": "已重试：案件继续办理，异常已解决。",
    "The retry failed again (attempt {n}): {error}": "重试再次失败（第 {n} 次）：{error}",
    "Give a reason to cancel.": "撤销须说明原因。",
    "Cancelled.": "已撤销。",
    "attempts: {n}": "已尝试 {n} 次",
    "Retry or cancel on the incidents page": "到异常处理页面重试或撤销",
}
