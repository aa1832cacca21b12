"""Chinese for the strings the page sweep of every demo user found untranslated (tests/web/test_web_zh_sweep.py);
merged into web.messages_zh.ZH."""
from __future__ import annotations

ZH_SWEEP: dict[str, str] = {
    # studio: the kinds of deployed files
    "BPMN diagram": "BPMN 流程图",
    "DMN decision table": "DMN 决策表",
    "Table": "配置表",
    "Rule set": "规则集",
}
