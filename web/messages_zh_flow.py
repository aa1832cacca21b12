"""Chinese for the task flow's strings (one place per action, continuing to the next step); merged into
web.messages_zh.ZH."""
from __future__ import annotations

ZH_FLOW: dict[str, str] = {
    "Decide in {step}": "去{step}",
    "Decided in the process step {step}": "在流程的「{step}」步骤中审批",
    "Decided in the process's review step": "在流程的审批步骤中审批",
    "An extension request for this task waits for a decision.": "本任务的延期申请正在等待审批。",
    "Extension request withdrawn (the limit ended)": "延期申请已撤回（时限已结束）",
}
