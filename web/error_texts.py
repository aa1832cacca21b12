"""What the engine's errors say to people: one zh and one en text per error key (engine.errors).

The engine raises an error with a key and the facts (task name, case number, usernames and codes as
they are); the UI words it here, in the reader's language, with people and units by their names and
what to do next. The API keeps the engine's English message (docs/api.md).
"""
from __future__ import annotations

import string
from typing import Any

from engine.errors import CasegridError

# key -> (zh, en). Placeholders are the error's params; *_user, *_unit, *_status, *_role and *_process params
# are shown by name (see `word`).
ERROR_TEXTS: dict[str, tuple[str, str]] = {
    # tasks: seeing, working, claiming
    "task.not_found": ("找不到该任务，或您无权查看。请回到待办列表查看您的任务。",
                       "This task does not exist or is not yours to see. Go back to your inbox."),
    # A process's script refused what was submitted (sandbox helper refuse): its own words, next to the field.
    "step.refused": ("未能提交：{message}", "Not submitted: {message}"),
    "message.not_waited_for": ("该案件现在不等待此报告，或您无权查看。请回到案件页查看最新环节。",
                               "The case does not wait for this report now, or it is not yours to see. See the case page."),
    # A step throws a message (通知原案件) that no running case waits for: refused, nothing changed.
    "message.nobody_waits": ("未能完成：「{step}」要通知的案件（{addressed}）没有在等待此通知，案件未作任何更改。"
                             "请核对本案填写的关联案件，或联系管理员。",
                             "Not done: {step} notifies a case ({addressed}) that does not wait for it; nothing was "
                             "changed. Check the linked case entered on this case, or ask an administrator."),
    "message.may_not_report": ("此报告由{reporter_role}填报，您不能填报。",
                               "This report is made by the {reporter_role}; you may not make it."),
    "task.closed": ("任务「{task}」已{task_status}，不能再办理。请回到待办列表查看案件的最新环节。",
                    "Task '{task}' is already {task_status}; it cannot be worked any more. See your inbox for the "
                    "case's current step."),
    "task.forbidden": ("您不能办理任务「{task}」：它不属于您的岗位、部门或网格。",
                       "You may not work task '{task}': it belongs to another role, department or grid cell."),
    "task.claimed_by_other": ("任务「{task}」已由{holder_user}认领，您无需再办理。",
                              "Task '{task}' has already been claimed by {holder_user}; it is no longer free."),
    "task.just_claimed": ("任务「{task}」刚刚被{holder_user}认领，您无需再办理。",
                          "Task '{task}' was just claimed by {holder_user}; it is no longer free."),
    "task.just_changed": ("任务「{task}」刚刚被他人更改。请刷新页面后重试。",
                          "Task '{task}' was just changed by someone else; reload and try again."),
    "task.not_claimed": ("任务「{task}」尚未被认领，无需释放。", "Task '{task}' is not claimed."),
    "task.not_returnable": ("任务「{task}」不能退回，请直接办理。", "Task '{task}' cannot be returned; complete it instead."),
    "task.not_waiting": ("任务「{task}」已不在等待办理。请刷新页面查看案件的最新环节。",
                         "Task '{task}' is no longer waiting for input; reload to see the case's current step."),
    "task.transfer_other_department": ("不能转给{to_user}：此任务属于{department_unit}，而对方不在该部门。",
                                       "{to_user} is not in {department_unit}, which this task belongs to."),
    "task.transfer_lacks_role": ("不能转给{to_user}：对方没有办理此任务所需的岗位。",
                                 "{to_user} does not hold the role this task needs."),
    "reason.required": ("请填写理由。", "Please give a reason."),
    "form.invalid": ("表单填写有误，请检查标出的字段。", "The form has errors; check the marked fields."),
    "input.invalid_fields": ("提交的内容有误，请检查标出的项目后重试。", "The request has invalid fields."),
    "input.invalid_query": ("链接中的筛选条件无法识别（可能被手工改动过），请回到页面重新选择。",
                            "The link's filters are not understood (perhaps edited by hand); go back to the page "
                            "and choose them again."),
    "auth.too_many_token_failures": ("此地址提交的无效 API 令牌过多，请 {minutes} 分钟后再试。",
                                     "Too many invalid API tokens from this address; try again in {minutes} minutes."),
    "metrics.forbidden": ("运行指标仅供系统运维人员查看。", "Metrics are for the operators (or the monitoring token)."),
    # cases
    "case.point_outside_district": ("该位置不在本区任何网格内。", "This position lies outside the district's grid cells."),
    "case.not_found": ("找不到该案件，或您无权查看。", "This case does not exist or is not yours to see."),
    "case.not_running": ("案件 {case} 已{case_status}，不能再办理。", "Case {case} is {case_status}, not running."),
    "case.changed": ("案件 {case} 在您打开页面后已被他人更改，您的提交未保存。请刷新页面后重试。",
                     "Case {case} changed since you opened it; nothing of yours was saved. Reload and try again."),
    "case.may_not_cancel": ("您不能撤销案件 {case}。", "You may not cancel case {case}."),
    "case.may_not_start": ("您不能发起「{key_process}」。", "You may not start '{key_process}'."),
    # time limits: extensions, stages, urging
    "limit.none_running": ("案件 {case} 当前没有正在计时的时限。", "Case {case} has no running time limit."),
    "extension.asked_in_form": ("任务「{task}」的延期须在办理表单中申请：选择“申请延期”并提交，由流程中的审批环节决定。",
                                "Task '{task}' asks for extensions through its own form: choose the extension "
                                "option and submit it; the process reviews the request."),
    "extension.not_extendable": ("任务「{task}」的办理期限依规定不能延长，不能申请延期。请在期限内办结；确有困难的，请向督办人员说明。",
                                 "The time limit of task '{task}' may not be extended; finish it within the limit, "
                                 "or tell a supervisor."),
    "extension.not_extendable_reject": ("任务「{task}」的办理期限依规定不能延长，此延期申请不能批准，请驳回并说明理由。",
                                        "The time limit of task '{task}' may not be extended: reject this request "
                                        "with a reason."),
    "extension.amount": ("延期时长须为正数。", "The extension must be a positive amount."),
    "extension.already_waiting": ("案件 {case} 已有一项延期申请在等待审批，请等待审批结果。",
                                  "An extension request for case {case} is already waiting for a decision."),
    "extension.not_found": ("找不到该延期申请。", "This extension request does not exist."),
    "extension.already_decided": ("该延期申请已{decision_status}。", "This extension request was already {decision_status}."),
    "extension.decided_in_process": ("该延期申请须在流程的审批环节中决定：请打开该案件的延期审批任务。",
                                     "This request is decided in the case's own review step; open that task."),
    "extension.limit_ended": ("该延期申请所针对的时限已结束，无需再审批。",
                              "The time limit this request was for has ended."),
    "extension.may_not_decide": ("您没有审批延期申请的权限。", "You may not decide extension requests."),
    "extension.outside_department": ("该延期申请不属于您督办的部门。", "This request is outside your departments."),
    "extension.reject_needs_note": ("驳回延期申请须填写理由。", "Give a reason to reject an extension."),
    "stage.task_closed": ("任务「{task}」已{task_status}，不能再确认阶段完成。",
                          "Task '{task}' is {task_status}; a stage can only be done on an open task."),
    "stage.none": ("案件 {case} 的时限不分阶段。", "The time limit on case {case} has no stages."),
    "stage.last": ("「{stage}」是最后一个阶段：办理完成本任务即结束时限。",
                   "{stage} is the last stage: completing the task ends the time limit."),
    "urge.may_not": ("您没有督办案件的权限。", "You may not urge cases."),
    "supervision.no_department": ("您没有督办的部门。", "You do not oversee any department."),
    "supervision.outside_department": ("案件 {case} 不属于您督办的部门。", "Case {case} is outside your departments."),
    # migrating running cases to another version (engine.commands.migrations)
    "migration.forbidden": ("只有系统管理员和业务分析员可以迁移案件。", "Only administrators and analysts migrate cases."),
    "migration.same_version": ("迁移的源版本和目标版本不能相同。", "The versions to migrate from and to must differ."),
    "migration.bad_map": ("环节对应关系有误：{problems}", "The element map is wrong: {problems}"),
    "migration.case_moved_on": ("案件 {case} 已不在版本 {version} 上运行，无需迁移。",
                                "Case {case} no longer runs on version {version}."),
    "migration.blocked": ("案件 {case} 不能迁移：{reasons}", "Case {case} cannot be migrated: {reasons}"),
    # the studio's test bench (engine.app.scenarios)
    "scenario.invalid": ("场景文件有误：{problem}", "The scenario file is wrong: {problem}"),
    "scenario.bad_advance": ("时间推进的写法有误：{amount}（示例：3 working days、2 hours）",
                             "Cannot advance by {amount} (e.g. 3 working days, 2 hours)."),
    "scenario.too_slow": ("场景在 {seconds} 秒内未运行完毕，已停止。", "The scenario did not finish within {seconds} s."),
    "scenario.could_not_run": ("场景未能运行：{error}", "The scenario could not run: {error}"),
    # why one case cannot move (engine.migration.planning.Blocker; params name and target)
    "migration.removed_open_task": ("环节「{name}」有未办结的任务，新版本中已没有该环节。",
                                    "Task '{name}' has open work but is not in the new version."),
    "migration.removed_waiting_element": ("案件正在「{name}」等待，新版本中已没有该环节。",
                                          "The case waits at '{name}', which is not in the new version."),
    "migration.removed_subprocess": ("子流程「{name}」正在运行，新版本中已没有该子流程。",
                                     "Subprocess '{name}' is running but is not in the new version."),
    "migration.changed_kind": ("环节「{name}」在新版本中是另一种元素。", "'{name}' is another kind of element in the new version."),
    "migration.changed_multi_instance": ("多实例环节「{name}」正在办理，新版本改变了它的实例定义。",
                                         "Multi-instance task '{name}' is running and its instances are defined "
                                         "differently in the new version."),
    "migration.changed_event": ("案件正在「{name}」等待，新版本改变了该定时或消息。",
                                "The case waits at '{name}', whose timer or message differs in the new version."),
    "migration.unconfirmed_rename": ("环节「{name}」似乎改名为「{target}」，请在环节对应关系中确认后再迁移。",
                                     "'{name}' looks renamed to '{target}'; confirm it in the element map."),
    "migration.failed": ("试迁移未成功，案件保持不变。", "The trial move failed; the case stays as it is."),
    # features a role opens (the `may` list of rules/organisation.yaml)
    "map.invalid_filter": ("地图筛选条件有误：范围须为西、南、东、北经纬度，且结束时间晚于开始时间。",
                           "The map filter is wrong: a box is west, south, east, north, and a period must end after it starts."),
    "map.may_not": ("您的岗位不能查看案件地图。如需使用，请联系系统管理员。",
                    "Your role does not open the case map. Ask an administrator if you need it."),
    "screen.may_not": ("您的岗位不能打开运行中心大屏。如需使用，请联系系统管理员。",
                       "Your role does not open the operations-centre screen. Ask an administrator if you need it."),
    "dashboard.may_not": ("您的岗位不能使用督办看板。如需使用，请联系系统管理员。",
                          "Your roles do not open the supervisor dashboard; ask the administrator."),
    "incidents.may_not_see": ("您的岗位不能查看异常列表。", "Your roles do not open the incident list."),
    "incidents.may_not_operate": ("您的岗位不能重试或撤销异常。", "Your roles may not retry or cancel incidents."),
    "tokens.may_not": ("您的岗位不使用 API 令牌。如有程序需要接入，请联系系统管理员。",
                       "Your roles do not use API tokens; ask the administrator if a program needs access."),
    "tokens.holder_may_not": ("此 API 令牌的持有人已不再担任使用 API 令牌的岗位，令牌已停用。如有程序需要接入，请联系系统管理员。",
                              "The holder of this API token no longer has a role that uses API tokens; the token "
                              "no longer works. Ask the administrator if a program needs access."),
    "escalation.may_not_acknowledge": ("这条升级提醒不是发给您的岗位的，您不能确认它。",
                                       "This escalation was not sent to your role; you may not acknowledge it."),
    # the profile's password change
    "profile.wrong_password": ("当前密码不正确。", "The current password is wrong."),
    "profile.password_too_short": ("新密码至少需要 {minimum} 个字符。", "The new password needs at least {minimum} characters."),
    "profile.password_too_long": ("新密码不能超过 {maximum} 个字符。", "The new password may have at most {maximum} characters."),
    "profile.passwords_differ": ("两次输入的新密码不一致。", "The two new passwords differ."),
    "profile.password_unchanged": ("新密码不能与当前密码相同。", "The new password is the current one."),
    "studio.may_not": ("您的岗位不能使用流程建模（编辑、校验、部署流程定义）。",
                       "Your roles do not open the studio (editing, validating and deploying definitions)."),
    # bulletins (通报, docs/bulletins.md)
    "bulletins.may_not_see": ("您的岗位不能查看通报。", "Your roles do not open the bulletins."),
    "bulletins.may_not_publish": ("您的岗位不能生成通报。", "Your roles may not produce bulletins."),
    "bulletin.unknown": ("没有名为「{name}」的通报定义。", "There is no bulletin definition named {name}."),
    "bulletin.not_found": ("该通报不存在。", "That bulletin does not exist."),
    "bulletin.bad_period": ("「{period}」不是该通报的统计周期，请按 {example} 的格式填写。",
                            "{period} is not a period of this bulletin; write it like {example}."),
    "bulletin.bad_period_kind": ("未知的统计周期「{kind}」。", "Unknown period {kind}."),
    "bulletin.period_out_of_range": ("统计周期「{period}」不在可统计的年份范围内（{first}—{last} 年）。",
                                     "The period {period} is outside the years bulletins cover ({first}–{last})."),
    "bulletin.period_not_started": ("统计周期 {period} 尚未开始。", "The period {period} has not started yet."),
    # single sign-on (统一身份认证, docs/sso.md)
    "sso.unknown_user": ("您已通过统一身份认证（账号 {account}），但该账号尚未在本系统登记，因此不能登录。"
                         "请联系本单位的系统管理员为您开通。",
                         "You signed in at the unified identity platform as {account}, but that account is not "
                         "registered in casegrid. Ask your administrator to add it."),
    "sso.inactive_user": ("账号 {account} 已在本系统停用，不能登录。如有疑问请联系系统管理员。",
                          "The account {account} is deactivated in casegrid. Ask your administrator."),
    "sso.no_username": ("统一身份认证平台没有提供用户名（{claim}），无法确定您在本系统的账号。请联系系统管理员。",
                        "The unified identity platform sent no user name ({claim}); casegrid cannot tell who you "
                        "are. Ask your administrator."),
    "sso.identity_mismatch": ("账号 {account} 已与统一身份认证平台上的另一个身份绑定，您当前登录的平台账号不能使用它。"
                              "如果您的平台账号是重新开通的，请联系系统管理员解除原绑定。",
                              "The account {account} is bound to another identity at the unified identity platform; "
                              "the platform account you signed in with cannot use it. If your platform account was "
                              "re-created, ask your administrator to remove the old binding."),
    "sso.no_subject": ("统一身份认证平台没有提供身份标识（sub），无法确定您的身份。请联系系统管理员。",
                       "The unified identity platform sent no subject identifier (sub); casegrid cannot tell who "
                       "you are. Ask your administrator."),
    "sso.default_role_unknown": ("统一身份认证的默认岗位配置有误，无法为您开通账号。请联系系统管理员。",
                                 "The default role for new single sign-on users is misconfigured; ask your "
                                 "administrator."),
}

# Status codes inside texts, as the sentence needs them ("已办结", "was already approved").
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "completed": ("办结", "completed"), "withdrawn": ("撤回", "withdrawn"), "cancelled": ("撤销", "cancelled"),
    "failed": ("失败", "failed"), "open": ("待办", "open"), "running": ("在办", "running"),
    "approved": ("批准", "approved"), "rejected": ("驳回", "rejected"),
}

# What a refusal without a key of its own says, by its code.
FALLBACK_TEXTS: dict[str, tuple[str, str]] = {
    "not_found": ("找不到您要的内容，或您无权查看。", "What you asked for does not exist or is not yours to see."),
    "forbidden": ("您没有执行此操作的权限。", "You may not do this."),
    "conflict": ("操作未能完成：相关案件或任务已被他人更改。请刷新页面后重试。",
                 "This could not be done: the case or task changed meanwhile. Reload and try again."),
    "invalid_input": ("提交的内容有误，请检查后重试。", "Some of what you entered is not valid; check it and try again."),
    "internal_error": ("系统出错，已记录。请稍后重试；如仍失败，请联系管理员。",
                       "Something went wrong on our side; it has been logged. Try again later."),
    "csrf_failed": ("页面已过期，请刷新页面后重新提交。", "The page has expired; reload it and submit again."),
    "bad_request": ("请求无法处理，请返回后重试。", "The request could not be understood; go back and try again."),
    "method_not_allowed": ("此地址不能直接打开，请回到上一页，用页面上的按钮操作。",
                           "This address cannot be opened directly; go back and use the button on the page."),
    "too_many_requests": ("操作过于频繁，请稍后再试。", "Too many requests; try again later."),
    "too_large": ("上传的内容过大。", "What you sent is too large."),
    "script_failed": ("流程定义中的脚本出错，案件未作任何更改。已记录为异常，请联系管理员。",
                      "A script in the process definition failed; nothing was changed. It has been recorded "
                      "for the administrators."),
}


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}


def word(exc: CasegridError, locale: str, names: Any) -> str:
    """The error in `locale` ("zh"/"en"). `names` words codes: .person(username), .unit(code),
    .process(key). An error without a catalogued key says what its kind of refusal means (zh), or its
    own message (en)."""
    zh_first = locale == "zh"
    texts = ERROR_TEXTS.get(exc.key or "")
    if texts is None:
        fallback = FALLBACK_TEXTS.get(exc.code)
        if zh_first:
            return fallback[0] if fallback else "操作未能完成。"
        return exc.message
    values: dict[str, Any] = {}
    for name, value in exc.params.items():
        if name.endswith("_user"):
            value = names.person(value)
        elif name.endswith("_unit"):
            value = names.unit(value)
        elif name.endswith("_status"):
            value = STATUS_WORDS.get(value, (value, value))[0 if zh_first else 1]
        elif name.endswith("_process"):
            value = names.process(value)
        elif name.endswith("_role"):
            value = names.role(value)
        values[name] = value
    text = texts[0 if zh_first else 1]
    try:
        return text.format(**values)
    except (KeyError, IndexError):  # a param missing: the text without the facts beats a 500
        return FALLBACK_TEXTS.get(exc.code, ("操作未能完成。", exc.message))[0 if zh_first else 1]
