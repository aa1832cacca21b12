"""What validation problems say to analysts: one zh and one en text per problem key (engine.errors.Problem).

The engine reports a problem with its English message (the CLI, the API, logs), and for the lines analysts
meet most also a key and the facts; the studio words them here, in the reader's language, with departments,
roles and grid cells by their names, and a decision by its name (its id only in the line's hint, for finding
it in the file). A problem without a key is shown by its message.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import Problem
from web.problem_texts_files import MORE_PROBLEM_TEXTS

# key -> (zh, en). Placeholders are the problem's params; see `word_problem` for those shown by name.
PROBLEM_TEXTS: dict[str, tuple[str, str]] = {
    # files that cannot be read at all
    "file.not_xml": ("文件不是格式正确的 XML{at}：请检查标签是否成对、引号是否闭合、特殊字符是否转义。解析器说明：{reason}",
                     "not well-formed XML{at}: {reason}"),
    "file.not_yaml": ("文件不是有效的 YAML{at}：请检查缩进、冒号和引号。解析器说明：{reason}",
                      "not valid YAML{at}: {reason}"),
    "file.not_json": ("文件不是有效的 JSON{at}：请检查括号、逗号和双引号。解析器说明：{reason}",
                      "not valid JSON{at}: {reason}"),
    "file.not_utf8": ("文件不是 UTF-8 文本（第 {byte} 字节处）。请以 UTF-8 编码保存。",
                      "not UTF-8 text (at byte {byte}); save it as UTF-8."),
    "file.too_deep": ("内容嵌套过深，无法检查。请把过长的表达式拆成几个较小的步骤。",
                      "nested too deeply to check; split long expressions into smaller steps."),
    "file.uncheckable": ("文件无法检查，请检查文件内容是否完整。内部说明：{reason}", "cannot be checked: {reason}"),
    "organisation.unreadable": ("无法读取组织架构：{reason}", "cannot read the organisation: {reason}"),
    # processes
    "process.none_in_file": ("文件中没有流程：请在泳池（pool）内绘制流程步骤。",
                             "no process in this file: model the steps inside a pool."),
    "process.duplicate_id": ("流程标识「{process}」已在 {other_file} 中定义，请改用另一个标识。",
                             "process id '{process}' is also defined in {other_file}; choose another id."),
    "process.not_executable": ("流程「{process}」未设为可执行，无法发起。请在建模器中勾选“可执行”（isExecutable=true）。",
                               "process '{process}' is not executable; set isExecutable=true in the modeler."),
    "process.parser_refused": ("流程图无法解析{at}：请检查此元素的设置。解析器说明：{reason}",
                               "the diagram cannot be parsed{at}: {reason}"),
    "process.unparsable": ("流程无法解析：请检查流程图的结构。解析器说明：{reason}", "cannot be parsed: {reason}"),
    "task.no_form": ("人工任务未指定表单：请在属性面板中选择表单（formKey）。",
                     "user task names no form: choose one in the properties panel (formKey)."),
    "task.unknown_form": ("人工任务使用的表单「{form}」在 forms/ 中不存在。请检查拼写，或先添加该表单。",
                          "user task names form '{form}', which does not exist in forms/."),
    "start.unknown_form": ("开始事件使用的表单「{form}」在 forms/ 中不存在。请检查拼写，或先添加该表单。",
                           "start event names form '{form}', which does not exist in forms/."),
    "task.no_decision": ("业务规则任务未指定决策表：请在属性面板中选择决策（calledDecisionId）。",
                         "business rule task names no decision: choose one in the properties panel "
                         "(calledDecisionId)."),
    "task.unknown_decision": ("业务规则任务使用的决策「{decision}」不在 rules/ 的任何 DMN 文件中。请检查拼写，或先添加该决策表。",
                              "business rule task names decision '{decision}', which no DMN file in rules/ defines."),
    "task.return_with_not_object": ("属性 returnWith 须为表单数据的 JSON 对象，例如 {{\"decision\": \"return\"}}。",
                                    "property returnWith must be a JSON object of form data, e.g. "
                                    "{{\"decision\": \"return\"}}."),
    "task.case_status_unknown": ("属性 caseStatus 的值「{value}」无效，可选：{allowed}。",
                                 "property caseStatus must be one of {allowed}, not '{value}'."),
    "name_en.not_english": ("属性 nameEn（英文名称）应填写英文名称，不能为空或含中文，当前为「{value}」。",
                            "property nameEn is the English name people read in English: write it in English, "
                            "not '{value}'."),
    "lane.unknown": ("泳道「{lane}」不是组织架构中的岗位或部门。请填写岗位或部门代码。",
                     "lane '{lane}' is not a role or department of the organisation."),
    "starters.malformed": ("属性 starters 应为以逗号分隔的岗位代码，当前为「{value}」。",
                           "property starters is a comma-separated list of role codes, got '{value}'."),
    "starters.unknown_role": ("属性 starters 中的「{role}」不是组织架构中的岗位。",
                              "property starters names '{role}', which is not a role of the organisation."),
    "extension.decider_lane": ("此任务审批延期申请（slaExtensionDecision），但所在泳道的岗位「{lane_role}」无权审批延期。"
                               "请把它放在以下岗位的泳道中：{allowed_roles}。",
                               "decides extension requests (slaExtensionDecision) but sits in the lane of "
                               "{lane_role}, who may not decide them; put it in a lane of {allowed_roles}."),
    "expression.empty": ("表达式为空。", "empty expression."),
    "expression.refused": ("表达式有误，请检查写法（括号、引号、运算符，以及只能使用允许的函数）。说明：{reason}",
                           "the expression is refused: {reason}"),
    "expression.property_empty": ("属性 {property} 的表达式为空。", "property {property}: empty expression."),
    "expression.property_refused": ("属性 {property} 的表达式有误，请检查写法。说明：{reason}",
                                    "property {property}: {reason}"),
    "gateway.joins_own_loop": ("并行网关「{gateway}」等待来自「{source}」的流转，但它只能在网关通过之后到达，案件会永远停在这里。"
                               "请用排他网关合并循环，并行网关只汇合同一次拆分的分支。",
                               "parallel gateway '{gateway}' waits for the flow from '{source}', which can only "
                               "arrive after the gateway has passed: the case would stop there for ever. Merge a "
                               "loop with an exclusive gateway."),
    "multi_instance.output_in_loop": ("多实例任务「{task}」处于循环中，再次执行时输出列表「{output}」仍保存着上一轮的结果，"
                                      "案件会停在那里。请在返回途中清空它，例如在脚本任务或 preScript 中写 {output} = []。",
                                      "multi-instance task '{task}' can run again in a loop while its output list "
                                      "'{output}' still holds the previous pass; empty it on the way back, e.g. "
                                      "{output} = [] in a script task or preScript."),
    # forms
    "form.duplicate_key": ("另一个表单文件已使用标识「{form}」。", "another form file already uses the key '{form}'."),
    "form.key_not_file_name": ("表单标识「{form}」须与文件名「{expected}」一致。",
                               "the form key '{form}' must equal the file name '{expected}'."),
    "form.too_deep": ("内容嵌套过深，无法读取；表单应是字段的平铺列表。",
                      "nested too deeply to read; a form is a flat list of fields."),
    "form.shape": ("表单文件的结构有误（位置：{where}）：请对照表单格式说明修改。校验器说明：{reason}", "{where}: {reason}"),
    "form.no_option_labels": ("选项缺少中文名称：请设置 ui:enumNames。",
                              "missing Chinese labels for the options: set ui:enumNames."),
    "form.option_label_count": ("ui:enumNames 有 {labels} 个名称，而选项有 {values} 个，须一一对应。",
                                "ui:enumNames has {labels} labels for {values} options."),
    "options.missing_from_org": ("表单缺少组织架构中的{kind}选项：{missing_codes}。请把它们加入 enum，并在 ui:enumNames 中写上名称。",
                                 "options missing from the form, present among the organisation's {kind} codes: "
                                 "{missing_codes} (add them to the enum, with labels in ui:enumNames)."),
    "options.not_in_org": ("表单中的选项不是组织架构中的{kind}：{extra}。",
                           "options in the form that are not the organisation's {kind} codes: {extra}."),
    "options.missing_from_decision": ("表单缺少决策「{decision}」输入「{input}」中的选项：{missing}。"
                                      "请把它们加入 enum，并在 ui:enumNames 中写上名称。",
                                      "options missing from the form, present in decision '{decision}' input "
                                      "'{input}': {missing} (add them to the enum, with labels in ui:enumNames)."),
    "options.not_in_decision": ("表单中的选项不在决策「{decision}」输入「{input}」中：{extra}。",
                                "options in the form but not in decision '{decision}' input '{input}': {extra}."),
    # codes of the organisation written in tables and forms
    "codes.unknown_in_input_values": ("inputValues 中的 {unknown} 不是组织架构中的{kind}代码。",
                                      "inputValues name {unknown}, which the organisation does not have as {kind} "
                                      "codes."),
    "codes.unknown_in_output": ("输出 {output} 中的 {unknown} 不是组织架构中的{kind}代码。",
                                "output {output} names {unknown}, which the organisation does not have as {kind} "
                                "codes."),
    "codes.unknown_in_form_options": ("选项 {unknown} 不是组织架构中的{kind}代码。",
                                      "options {unknown} are not {kind} codes of the organisation."),
    # decision tables and the routing matrix
    "decision.duplicate_id": ("决策「{decision}」的标识已在 {other_file} 中定义：两个决策的标识须不同。",
                              "the id of decision '{decision}' is also defined in {other_file}: two decisions "
                              "need different ids."),
    "decision.rules_overlap": ("规则重叠：两条规则都匹配 {example}；UNIQUE 决策表只允许一条匹配。",
                               "rules overlap: both match {example}; a UNIQUE table allows one."),
    "decision.overlap_disagrees": ("规则在 {example} 上重叠，但 {outputs} 的结果不同；ANY 决策表要求重叠的规则结果一致。",
                                   "rules overlap on {example} but give different {outputs}; hit policy ANY needs "
                                   "overlapping rules to agree."),
    "decision.more_overlaps": ("……另有 {count} 对规则重叠。", "… and {count} more overlapping pairs."),
    "decision.incomplete": ("决策表不完整：没有规则匹配 {example}。请为它添加一条规则（如无需结果，输出可为 null）。",
                            "incomplete: no rule matches {example}; add a rule for it (its output may be null)."),
    "routing.gap": ("分派矩阵有遗漏：没有规则分派 {example}（{column} 为 {value} 的规则：{rows}）。",
                    "routing matrix has a gap: no rule routes {example} (rows for {column} {value}: {rows})."),
    "routing.more_gaps": ("……还有更多未分派的组合。", "… and more unrouted combinations."),
    "routing.not_unique": ("分派矩阵须使用命中策略 UNIQUE（每个案件只分派一个部门），当前为 {hit_policy}。",
                           "routing matrix must use hit policy UNIQUE (one department per case), not {hit_policy}."),
    "routing.no_input_values": ("分派矩阵的此输入列没有列出 inputValues：请列出所有取值，以便检查遗漏。",
                                "routing matrix input declares no inputValues; list every value so gaps can be "
                                "checked."),
    "routing.unknown_streets": ("inputValues 中的街道不在组织架构中：{unknown}。",
                                "inputValues name streets the organisation does not have: {unknown}."),
    "routing.missing_streets": ("inputValues 缺少组织架构中的街道：{missing_units}。",
                                "inputValues miss streets of the organisation: {missing_units}."),
    "routing.department_not_literal": ("responsible_department 须为带引号的部门代码，例如 \"huanwei\"。",
                                       "responsible_department must be a department code in quotes, e.g. "
                                       "\"huanwei\"."),
    "routing.unknown_department": ("responsible_department「{department}」不是组织架构中的部门。",
                                   "responsible_department '{department}' is not a department of the organisation."),
}

PROBLEM_TEXTS.update(MORE_PROBLEM_TEXTS)

# The kinds of organisation code (engine.definitions.code_checks.CODE_KINDS): (zh, en).
KIND_WORDS: dict[str, tuple[str, str]] = {
    "department": ("部门", "department"), "role": ("岗位", "role"), "grid_cell": ("网格", "grid cell"),
    "street": ("街道", "street"), "community": ("社区", "community"),
}


def _named(name: str, value: Any, kind: str | None, names: Any) -> str | None:
    """A code param's name, or None when `name` does not hold a code."""
    if name.endswith("_unit"):
        return names.unit(value)
    if name.endswith("_role"):
        return names.role(value)
    if name.endswith("_lane"):
        return names.lane(value)
    if name.endswith("_process"):
        return names.process(value)
    if name.endswith("_codes") and kind is not None:
        return names.role(value) if kind == "role" else names.unit(value)
    return None


def _listing(items: Iterable[str], zh: bool) -> str:
    return ("、" if zh else ", ").join(items)


def _quoted(items: Iterable[Any], zh: bool) -> str:
    """Names listed as a line quotes a name: 「事件小类」、「街道」 / '事件小类', '街道'."""
    return _listing((f"「{item}」" if zh else f"'{item}'" for item in items), zh)


# Params that hold a code the studio shows by a name the engine gives beside it (`decision` with
# `decision_name`, `input` with `input_name`), and how a line's hint names the code (the only place it shows).
HINTS: dict[str, tuple[str, str]] = {"decision": ("决策标识：{code}", "decision id: {code}")}


def _by_name(problem: Problem, name: str) -> str:
    """The name the engine gives beside the code param `name` (empty: none, the code is all there is)."""
    named = problem.params.get(f"{name}_name")
    return named if isinstance(named, str) else ""


def problem_hint(problem: Problem, locale: str) -> str:
    """The codes of the line that its text shows by their names, for finding them in the file ("" for none)."""
    zh = locale == "zh"
    return _listing((texts[0 if zh else 1].format(code=problem.params[name]) for name, texts in HINTS.items()
                     if problem.key in PROBLEM_TEXTS and _by_name(problem, name) and problem.params.get(name)), zh)


def _position(line: Any, column: Any, zh: bool) -> str:
    """Where in the file a parser points, as `{at}` in a text: （第 3 行第 5 列） / " (line 3, column 5)"."""
    if not line:
        return ""
    if zh:
        return f"（第 {line} 行第 {column} 列）" if column else f"（第 {line} 行）"
    return f" (line {line}, column {column})" if column else f" (line {line})"


def word_problem(problem: Problem, locale: str, names: Any) -> str:
    """The problem's line (without its file and element) in `locale` ("zh"/"en"). `names` words codes:
    .unit(code), .role(code), .lane(code), .process(key); a code param `x` the engine gives a name beside
    (`x_name`: a decision's name, an input column's label) reads as that name, and a list of names
    (`x_titles`) reads quoted. Without a catalogued key: its English message."""
    texts = PROBLEM_TEXTS.get(problem.key or "")
    if texts is None:
        return problem.message
    zh = locale == "zh"
    kind = problem.params.get("kind")
    values: dict[str, Any] = {}
    for name, value in problem.params.items():
        if name == "kind":
            values[name] = KIND_WORDS.get(value, (value, value))[0 if zh else 1]
            continue
        code_name = name.removesuffix("s") if name.endswith(("_units", "_roles", "_lanes")) else name
        if name.endswith("_titles") and isinstance(value, list | tuple):
            values[name] = _quoted(value, zh)
        elif isinstance(value, list | tuple):
            worded = [_named(code_name, item, kind, names) for item in value]
            values[name] = _listing((w if w is not None else str(v) for w, v in zip(worded, value, strict=True)), zh)
        else:
            named = _named(code_name, value, kind, names)
            values[name] = named if named is not None else value
    for name in problem.params:
        if _by_name(problem, name):
            values[name] = _by_name(problem, name)
    values["at"] = _position(problem.params.get("line"), problem.params.get("column"), zh)
    try:
        return texts[0 if zh else 1].format(**values)
    except (KeyError, IndexError):  # a param missing: the engine's own line beats a 500
        return problem.message

