"""Chinese for the strings the page sweep of every demo user found untranslated (tests/web/test_web_zh_sweep.py);
merged into web.messages_zh.ZH."""
from __future__ import annotations

ZH_SWEEP: dict[str, str] = {
    # studio: the kinds of deployed files
    "BPMN diagram": "BPMN 流程图",
    "DMN decision table": "DMN 决策表",
    "Table": "配置表",
    "Rule set": "规则集",
    # dashboard: the period's dates ("To" alone is the transfer target, 转给)
    "From date": "起始日期",
    "To date": "截止日期",
    # dashboard: a decision step the viewer watches but may not take (a department head, the administrator)
    "Decided by the {role}": "由{role}决定",
}
