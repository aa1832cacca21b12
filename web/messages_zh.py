"""Chinese for every UI source string (English). tests/web/test_web_i18n.py checks that none is missing."""
from __future__ import annotations

ZH: dict[str, str] = {
    # frame and navigation
    "Someone else changed this at the same moment; nothing of yours was saved. Reload and try again.":
        "他人刚刚同时修改了此处，您的操作未保存。请刷新后重试。",
    "casegrid": "城区协同办案平台",
    "Main": "主导航",
    "Inbox": "待办",
    "Cases": "案件",
    "Report / start": "上报 / 发起",
    "Profile": "个人资料",
    "Sign in": "登录",
    "Sign out": "退出",
    # sign-in and profile
    "User name": "用户名",
    "Password": "密码",
    "Enter your user name and password.": "请输入用户名和密码。",
    "User name or password is wrong.": "用户名或密码错误。",
    "Too many failed attempts. Try again in {n} minutes.": "失败次数过多，请 {n} 分钟后再试。",
    "Department": "部门",
    "Roles": "角色",
    "API token": "API 令牌",
    "Programs call the REST API with a bearer token: Authorization: Bearer <token>. Only a hash is stored, "
    "so a token is shown once.": "程序通过 Bearer 令牌调用 REST API：Authorization: Bearer <令牌>。系统只保存令牌的哈希值，令牌仅显示一次。",
    "Your new token (copy it now, it will not be shown again):": "新的令牌（请立即复制，之后不再显示）：",
    "Create a new token": "创建令牌",
    "Replace the token": "更换令牌",
    "Revoke the token": "吊销令牌",
    "Your API token has been revoked.": "您的 API 令牌已吊销。",
    # inbox and lists
    "Show": "显示",
    "My tasks": "我的待办",
    "Claimable": "可认领",
    "My department": "本部门",
    "Everything I can see": "我可见的全部",
    "Claimable tasks of my groups": "本组可认领的任务",
    "Show all": "显示全部",
    "Time limit": "时限",
    "Any": "全部",
    "Search": "搜索",
    "Filter": "筛选",
    "case number, title, task": "案件编号、标题、任务",
    "case number or title": "案件编号或标题",
    "Case": "案件",
    "Task": "任务",
    "Tasks": "任务",
    "Department / grid": "部门 / 网格",
    "Assignee": "办理人",
    "unclaimed": "未认领",
    "Nothing here.": "暂无内容。",
    "Pages": "分页",
    "Previous": "上一页",
    "Next": "下一页",
    "Page {page} of {pages}": "第 {page} / {pages} 页",
    "{count}+": "{count}+ 件",
    "Title": "标题",
    "Process": "流程",
    "Current step": "当前环节",
    "Status": "状态",
    "Opened": "发起时间",
    "Running": "办理中",
    "Completed": "已办结",
    "Cancelled": "已撤销",
    # SLA
    "On time": "正常",
    "At risk": "临期",
    "Overdue": "超期",
    "Paused": "暂停计时",
    "Met late": "超期办结",
    "No limit": "无时限",
    "No longer timed": "不再计时",
    "{d}d {h}h": "{d}天{h}小时",
    "{h}h {m}m": "{h}小时{m}分",
    "{m}m": "{m}分钟",
    "under a minute": "不足1分钟",
    "overdue {span}": "已超期 {span}",
    "{span} left": "剩余 {span}",
    "Due": "到期",
    # task page and actions
    "Actions": "操作",
    "Claim": "认领",
    "Unclaim": "退回组内",
    "Claim the task to work on it.": "认领后即可办理此任务。",
    "Complete": "提交",
    "Transfer": "转办",
    "To": "转给",
    "Reason": "理由",
    "Return": "退回",
    "Request an extension": "申请延期",
    "Request": "申请",
    "Please give a reason.": "请填写理由。",
    "You have claimed the task.": "您已认领该任务。",
    "The task is back in the group's inbox.": "任务已退回组内待办。",
    "The task has been transferred to {user}.": "任务已转办给 {user}。",
    "The task has been returned.": "任务已退回。",
    "Your extension request has been sent for approval.": "延期申请已提交审批。",
    "Staged time limit": "分阶段时限",
    "Stage {n} of {count}: {name}": "第 {n}/{count} 阶段：{name}",
    "Note (optional)": "备注（可选）",
    "{name} done": "{name}已完成",
    "The next stage, {name}, starts when you confirm.": "确认后开始下一阶段：{name}。",
    "This is the last stage: completing the task ends the time limit.": "已是最后阶段：提交任务即结束时限。",
    "Stage done. The next stage, {name}, runs until {due}.": "本阶段已完成。下一阶段“{name}”期限至 {due}。",
    "The files you chose were not kept; choose them again.": "本次选择的文件未保存，请重新选择。",
    # case page
    "Where the case is": "办理进度",
    "The diagram viewer is not installed (run make assets).": "流程图查看器未安装（请运行 make assets）。",
    "Case data": "案件信息",
    "Timeline": "办理记录",
    "Deadlines": "时限",
    "Linked cases": "关联案件",
    "None": "无",
    "by": "由",
    "Closed": "结案时间",
    # start
    "Start": "发起",
    "Case {key} has been opened.": "案件 {key} 已发起。",
    "Your roles do not start any process.": "您的角色不能发起任何流程。",
    # errors
    "Not allowed": "无权访问",
    "Not found": "未找到",
    "Conflict": "冲突",
    "Bad request": "请求有误",
    "Too many requests": "请求过于频繁",
    "Something went wrong": "系统出错",
    "Error": "错误",
    "Back to the inbox": "返回待办",
    # statuses
    "In progress": "办理中",
    "Open": "待办",
    "Withdrawn": "已撤回",
    "Failed": "失败",
    "More time, in {unit}": "延长时间（{unit}）",
    "Process records ({n})": "流程记录（{n} 项）",
    # timeline
    "Opened the case": "发起案件",
    "Case closed": "案件办结",
    "Case cancelled": "案件撤销",
    "Linked to another case": "关联案件",
    "Flagged": "标记",
    "Urged": "督办",
    "Priority raised": "提升优先级",
    "Task opened": "生成任务",
    "Claimed": "认领",
    "Released": "取消认领",
    "Transferred": "转办",
    "Done": "办理完成",
    "Task withdrawn": "任务撤回",
    "Timer fired": "定时触发",
    "Timer failed": "定时执行失败",
    "Message sent": "发送消息",
    "Message received": "收到消息",
    "Rule fired": "规则触发",
    "Event posted": "事件上报",
    "Batch of events posted": "批量事件上报",
    "Time limit started": "开始计时",
    "Time limit paused": "暂停计时",
    "Time limit resumed": "恢复计时",
    "No time limit applies": "不计时限",
    "Done within the limit": "按期完成",
    "Done after the limit": "超期完成",
    "Time limit cancelled": "时限取消",
    "Time limit nearly used up": "临期预警",
    "Time limit passed": "已超期",
    "Reminder sent": "已提醒",
    "Escalated": "超期上报",
    "Escalation acknowledged": "确认超期上报",
    "Asked for more time": "申请延期",
    "Extension approved": "延期获批",
    "Extension rejected": "延期驳回",
    "Stage done": "阶段完成",
    "Deadline recomputed": "期限重算",
    "Completed by the time limit": "到期自动办结",
    "Warning": "预警",
    "Limit": "到期",
    "Reminder": "提醒",
    "System": "系统",
    # notification kinds
    "Nearly due": "临期",
    "Rule": "规则",
    "Extension asked": "延期申请",
}

# The studio and the dashboard keep their strings next to their features; web-wide strings above win.
from web.messages_zh_features import ZH_FEATURES  # noqa: E402

ZH.update({source: text for source, text in ZH_FEATURES.items() if source not in ZH})
# Incidents keep theirs beside them too (web/messages_zh_incidents.py).
from web.messages_zh_incidents import ZH_INCIDENTS  # noqa: E402

ZH.update({source: text for source, text in ZH_INCIDENTS.items() if source not in ZH})
# The task flow's strings (web/messages_zh_flow.py).
from web.messages_zh_flow import ZH_FLOW  # noqa: E402

ZH.update({source: text for source, text in ZH_FLOW.items() if source not in ZH})
# The case record of task and case pages (web/messages_zh_record.py).
from web.messages_zh_record import ZH_RECORD  # noqa: E402

ZH.update({source: text for source, text in ZH_RECORD.items() if source not in ZH})
# What the page sweep of every demo user found untranslated (web/messages_zh_sweep.py).
from web.messages_zh_sweep import ZH_SWEEP  # noqa: E402

ZH.update({source: text for source, text in ZH_SWEEP.items() if source not in ZH})

# What a case waits for, and time-limit notices worded when read (web/messages_zh_status.py).
from web.messages_zh_status import ZH_STATUS  # noqa: E402

ZH.update({source: text for source, text in ZH_STATUS.items() if source not in ZH})

# The studio form editor's fields view (web/messages_zh_formeditor.py).
from web.messages_zh_formeditor import ZH_FORMEDITOR  # noqa: E402

ZH.update({source: text for source, text in ZH_FORMEDITOR.items() if source not in ZH})

# The API reference page, the profile's password change, the dashboard's period errors (web/messages_zh_small.py).
from web.messages_zh_small import ZH_SMALL  # noqa: E402

ZH.update({source: text for source, text in ZH_SMALL.items() if source not in ZH})

# The dashboard's case figures and its step tables' headings (web/messages_zh_gaps.py).
from web.messages_zh_gaps import ZH_GAPS  # noqa: E402

ZH.update({source: text for source, text in ZH_GAPS.items() if source not in ZH})

from web.messages_zh_situation import ZH_SITUATION  # noqa: E402

ZH.update({source: text for source, text in ZH_SITUATION.items() if source not in ZH})
# The bulletins page (web/messages_zh_bulletins.py).
from web.messages_zh_bulletins import ZH_BULLETINS  # noqa: E402

ZH.update({source: text for source, text in ZH_BULLETINS.items() if source not in ZH})

# Single sign-on: the sign-in button, refusals and sign-out (web/messages_zh_sso.py).
from web.messages_zh_sso import ZH_SSO  # noqa: E402

ZH.update({source: text for source, text in ZH_SSO.items() if source not in ZH})

# The studio's element marks: the properties panel's own checks (web/messages_zh_marks.py).
from web.messages_zh_marks import ZH_MARKS  # noqa: E402

ZH.update({source: text for source, text in ZH_MARKS.items() if source not in ZH})

# The notifications' texts, worded when read (web/messages_zh_notices.py).
from web.messages_zh_notices import ZH_NOTICES  # noqa: E402

ZH.update({source: text for source, text in ZH_NOTICES.items() if source not in ZH})
