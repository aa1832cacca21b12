"""Chinese for the task flow's strings (one place per action, continuing to the next step); merged into
web.messages_zh.ZH."""
from __future__ import annotations

ZH_FLOW: dict[str, str] = {
    "Decide in {step}": "去{step}",
    "Decided in the process step {step}": "在流程的「{step}」步骤中审批",
    "Decided in the process's review step": "在流程的审批步骤中审批",
    "An extension request for this task waits for a decision.": "本任务的延期申请正在等待审批。",
    "Extension request withdrawn (the limit ended)": "延期申请已撤回（时限已结束）",
    # Reporting to a running case from its page what it waits for (an agency finished, the grade changed).
    "Report to the case": "报告情况",
    "{what} has been reported to the case.": "已报告：{what}。",
    # Reasons the engine itself writes into the case record (engine/sla/clocks.py), shown on the timeline.
    "the time limit ended": "时限已结束",
    "the case data holds no limit": "案件数据中没有该时限",
    "process data flag sla_paused": "流程暂停计时",
    "{done} is done. The next step, {next}, is yours: it has been claimed for you.":
        "「{done}」已完成。下一步「{next}」由您继续办理，已为您认领。",
    "{done} is done. You may take the next step, {next}: claim it to work on it.":
        "「{done}」已完成。下一步「{next}」可由您办理，认领后即可开始。",
    "{done} is done. Case {key} is closed.": "「{done}」已完成，案件 {key} 已办结。",
    "{done} is done. Case {key} is cancelled.": "「{done}」已完成，案件 {key} 已撤销。",
    "{done} is done. Case {key} is now with {who}.": "「{done}」已完成。案件 {key} 现由{who}办理。",
    "{done} is done. Case {key} now waits for a time limit, a message or a linked case.":
        "「{done}」已完成。案件 {key} 正在等待时限、消息或关联案件。",
    "{who} ({task})": "{who}（{task}）",
    # A step and the unit it waits on (a deadline's line, the record's time limits).
    "{task} ({unit})": "{task}（{unit}）",
    "; ": "；",
}
