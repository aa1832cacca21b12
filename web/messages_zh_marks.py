"""Chinese for the studio's element marks: the properties panel's own checks and the lanes on the modeler's canvas
(templates/studio/_problems.html)."""
from __future__ import annotations

ZH_MARKS: dict[str, str] = {
    "Not a role or department of the organisation.": "不是组织架构中的岗位或部门。",
    "There is no deployed form {form}; add it under forms/ or pick another.": "没有已部署的表单 {form}：请在 forms/ 中添加，或选择其他表单。",
    "A user task needs a form.": "人工任务须指定表单。",
    "Not roles of the organisation: {codes}": "不是组织架构中的岗位：{codes}",
    "Brackets or quotes do not close.": "括号或引号没有闭合。",
    "A business rule task needs a decision.": "业务规则任务须指定决策表。",
    "There is no deployed decision {decision}.": "没有已部署的决策 {decision}。",
    "Choose the process to call.": "请选择要调用的流程。",
    "There is no deployed process {process}.": "没有已部署的流程 {process}。",
    "Name the collection to run over (or a number of instances).": "请填写要逐项处理的集合（或实例个数）。",
    "Name the variable each instance's item goes by.": "请填写每个实例所处理项目的变量名。",
    "Write when the timer fires.": "请填写定时器触发的时间。",
    'Not ISO 8601: a duration is "P3D" or "PT2H", a date "2026-10-08T09:00:00", a cycle "R3/PT1H".':
        '不是 ISO 8601 格式：时长写作 "P3D"、"PT2H"，时间写作 "2026-10-08T09:00:00"，循环写作 "R3/PT1H"。',
    "Write the message name.": "请填写消息名称。",
    # lanes on the modeler's canvas (web/static/js/studio-lanes.js)
    "No role or department chosen": "未选择角色或部门",
    "Double-click the lane to choose its role or department in the properties panel.":
        "双击泳道，在右侧属性面板中选择其角色或部门。",
    "A lane is named by the role or department its tasks go to: choose it in the properties panel. The canvas "
    "shows the name; the file keeps the code.":
        "泳道以其任务派往的角色或部门命名：请在右侧属性面板中选择。画布上显示名称，文件中保存代码。",
    # lanes' roles and departments told apart when two read the same (web/studio/names.py)
    "role": "角色",
    "department": "部门",
    # the decision editor's DRD: the file's decisions named by the definitions' name (studio-decision.js)
    "The name of this file's decisions; click to change it.":
        "本文件决策集的名称，点击可修改。",
    "⚠ No name yet: click here and write one": "⚠ 尚未命名：请点击此处填写名称",
    "⚠ Decisions without a name": "⚠ 未命名的决策集",
}
