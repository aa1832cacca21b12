"""Where a problem is, in the reader's words: the element part of a studio problem line.

The engine names a problem's element in its own English (`Problem.element`: ``decision 'se_catalogue' rule 'r1'
(row 1)``, a BPMN id, a field key), which the CLI and the API keep. Validation also gives the facts that
name it (`Problem.place`, engine/definitions/places.py); the studio says them here in the page's language:
决策「事件分类与处置时限」第 1 条规则 / decision 事件分类与处置时限, rule 1; 用户任务「案卷建立（立案）」; 字段「事件小类」.
The ids the words replace go in the place's hint, the title of the words on the page, for finding the element
in the file. A problem without a place (an element that could not be read back) shows its element as written.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import Problem
from engine.forms.i18n import split_bilingual

# BPMN element types (the element's local name) as bpmn-js names them (web/static/js/studio-translate.js).
BPMN_TYPES: dict[str, tuple[str, str]] = {
    "process": ("流程", "process"), "participant": ("池", "pool"), "collaboration": ("协作", "collaboration"),
    "lane": ("泳道", "lane"), "laneSet": ("泳道组", "lane set"),
    "task": ("任务", "task"), "userTask": ("用户任务", "user task"), "manualTask": ("人工任务", "manual task"),
    "scriptTask": ("脚本任务", "script task"), "serviceTask": ("服务任务", "service task"),
    "businessRuleTask": ("业务规则任务", "business rule task"), "sendTask": ("发送任务", "send task"),
    "receiveTask": ("接收任务", "receive task"), "callActivity": ("调用活动", "call activity"),
    "subProcess": ("子流程", "sub-process"), "adHocSubProcess": ("自由子流程", "ad-hoc sub-process"),
    "transaction": ("事务", "transaction"),
    "exclusiveGateway": ("排他网关", "exclusive gateway"), "parallelGateway": ("并行网关", "parallel gateway"),
    "inclusiveGateway": ("包容网关", "inclusive gateway"), "complexGateway": ("复杂网关", "complex gateway"),
    "eventBasedGateway": ("事件网关", "event-based gateway"),
    "startEvent": ("开始事件", "start event"), "endEvent": ("结束事件", "end event"),
    "intermediateCatchEvent": ("中间捕获事件", "intermediate catch event"),
    "intermediateThrowEvent": ("中间抛出事件", "intermediate throw event"),
    "boundaryEvent": ("边界事件", "boundary event"),
    "sequenceFlow": ("顺序流", "sequence flow"), "messageFlow": ("消息流", "message flow"),
    "association": ("关联", "association"), "textAnnotation": ("文本注释", "text annotation"),
    "dataObject": ("数据对象", "data object"), "dataObjectReference": ("数据对象引用", "data object reference"),
    "dataStoreReference": ("数据存储引用", "data store reference"), "message": ("消息", "message"),
    "signal": ("信号", "signal"), "error": ("错误", "error"), "escalation": ("升级", "escalation"),
}
# An event's definition (timerEventDefinition -> "timer") before its type: 定时边界事件 / timer boundary event.
EVENT_KINDS: dict[str, tuple[str, str]] = {
    "message": ("消息", "message"), "timer": ("定时", "timer"), "conditional": ("条件", "conditional"),
    "signal": ("信号", "signal"), "error": ("错误", "error"), "escalation": ("升级", "escalation"),
    "compensate": ("补偿", "compensation"), "terminate": ("终止", "terminate"), "cancel": ("取消", "cancel"),
    "link": ("链接", "link"),
}
# Members of a form file the engine names alone (engine.definitions.places.FORM_MEMBERS), and the form itself.
FORM_MEMBERS: dict[str, tuple[str, str]] = {
    "key": ("表单标识", "form key"), "title": ("表单标题", "form title"), "description": ("表单说明", "form description"),
    "schema": ("表单的数据结构（schema）", "form schema"), "uiSchema": ("表单的界面设置（uiSchema）", "form uiSchema"),
}


def place_words(problem: Problem, locale: str, names: Any) -> tuple[str, str]:
    """The problem's element in words in `locale` ("zh"/"en") and its hint (the ids the words stand for);
    ("", "") when the problem has no place or one of a kind not worded here: the page shows `element`.
    `names.lane(code)` names a lane's role or department."""
    place = problem.place
    if not place:
        return "", ""
    worder = _WORDERS.get(str(place.get("kind")))
    if worder is None:
        return "", ""
    try:
        words, hints = worder(place, locale == "zh", names)
    except (KeyError, TypeError, ValueError, IndexError):  # facts of a shape not worded here: as written
        return "", ""
    return words, ("；" if locale == "zh" else "; ").join(hint for hint in hints if hint)


def _hint(zh: bool, label: tuple[str, str], code: Any) -> str:
    return f"{label[0]}：{code}" if zh and code else f"{label[1]}: {code}" if code else ""


# --- DMN ----------------------------------------------------------------------------------------------
def _decision(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    name = place.get("decision_name") or ""
    if name:
        decision = f"决策「{name}」" if zh else f"decision {name}"
    else:
        number = int(place["decision_number"])
        decision = f"第 {number} 个决策（未命名）" if zh else f"unnamed decision {number}"
    parts = [decision]
    hints = [_hint(zh, ("决策标识", "decision id"), place["decision"])]
    rows = [int(row) for row in place.get("rows") or ()]
    if len(rows) == 1:
        parts.append(f"第 {rows[0]} 条规则" if zh else f"rule {rows[0]}")
    elif len(rows) == 2:
        parts.append(f"第 {rows[0]} 条与第 {rows[1]} 条规则" if zh else f"rules {rows[0]} and {rows[1]}")
    elif rows:
        raise ValueError(rows)
    rule_ids = [str(i) for i in place.get("rule_ids") or () if i]
    hints.append(_hint(zh, ("规则标识", "rule ids" if len(rule_ids) > 1 else "rule id"), ("、" if zh else ", ").join(rule_ids)))
    column = place.get("column")
    if column:
        side, number, label, code = column["side"], int(column["number"]), column.get("label") or "", column.get("code")
        if side == "input":
            words = (f"输入「{label}」" if zh else f"input {label}") if label else \
                (f"第 {number} 列输入" if zh else f"input column {number}")
            hints.append(_hint(zh, ("输入表达式", "input expression"), code))
        elif side == "output":
            words = (f"输出「{label}」" if zh else f"output {label}") if label else \
                (f"第 {number} 列输出" if zh else f"output column {number}")
            hints.append(_hint(zh, ("输出名", "output name"), code))
        else:
            raise ValueError(side)
        parts.append(("的" if rows else "") + words if zh else words)
    return ("".join(parts) if zh else ", ".join(parts)), hints


# --- BPMN ---------------------------------------------------------------------------------------------
def _bpmn_type(node: Mapping[str, Any], zh: bool) -> str:
    kind = BPMN_TYPES.get(str(node.get("type")), ("元素", "element"))[0 if zh else 1]
    event = EVENT_KINDS.get(str(node.get("event") or ""))
    if event is not None and str(node.get("type")).endswith("Event"):
        kind = f"{event[0]}{kind}" if zh else f"{event[1]} {kind}"
    return kind


def _bpmn_name(node: Mapping[str, Any], zh: bool, names: Any) -> str:
    """The element's name in the page's language: a lane's role or department by its name; in English the
    element's nameEn, else the English half of a name written in both languages, else the name."""
    name = str(node.get("name") or "").strip()
    if node.get("type") == "lane" and name:
        return names.lane(name)
    if zh:
        return split_bilingual(name)[0]
    return str(node.get("name_en") or "") or split_bilingual(name)[1]


def _bpmn_said(node: Mapping[str, Any], zh: bool, names: Any) -> str:
    """An element as a flow's end: 「受理」 / 受理 by name, else its type (开始事件)."""
    name = _bpmn_name(node, zh, names)
    if name:
        return f"「{name}」" if zh else name
    return _bpmn_type(node, zh)


def _bpmn(place: Mapping[str, Any], zh: bool, names: Any) -> tuple[str, list[str]]:
    kind = _bpmn_type(place, zh)
    name = _bpmn_name(place, zh, names)
    label = ("流程标识", "process id") if place.get("type") == "process" else ("元素标识", "element id")
    hints = [_hint(zh, label, place.get("id"))]
    if name:
        return (f"{kind}「{name}」" if zh else f"{kind} {name}"), hints
    source, target = place.get("source"), place.get("target")
    if source and target:
        start, end = _bpmn_said(source, zh, names), _bpmn_said(target, zh, names)
        return (f"从{start}到{end}的{kind}" if zh else f"{kind} from {start} to {end}"), hints
    return (f"未命名的{kind}" if zh else f"unnamed {kind}"), hints


# --- forms --------------------------------------------------------------------------------------------
def _form_field(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    hints = [_hint(zh, ("字段键名", "field key"), place["field"])]
    if place.get("missing"):
        return ("表单中没有的字段" if zh else "a field the form does not have"), hints
    number = int(place["number"])
    label = place.get("label") if zh else place.get("label_en") or place.get("label")
    shared = place.get("label_shared" if zh else "label_en_shared")
    if not label:
        return (f"未命名字段（第 {number} 项）" if zh else f"field without a label (no. {number})"), hints
    if shared:  # two fields read alike: told apart by their place, as the form editor numbers its cards
        return (f"字段「{label}」（第 {number} 项）" if zh else f"field {label} (no. {number})"), hints
    return (f"字段「{label}」" if zh else f"field {label}"), hints


def _form(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    hints = [_hint(zh, ("表单标识", "form key"), place.get("form"))]
    member = place["member"]
    if member == "form":
        title = place.get("form_title") if zh else place.get("form_title_en") or place.get("form_title")
        if not title:
            raise ValueError(member)
        return (f"表单「{title}」" if zh else f"form {title}"), hints
    return FORM_MEMBERS[member][0 if zh else 1], hints


# --- rules/ files -------------------------------------------------------------------------------------
def _member_words(member: str, zh: bool) -> str:
    return f"{member} 项" if zh else f"{member} entry"


def _policy(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    parts = [f"第 {int(place['number'])} 条策略" if zh else f"policy {int(place['number'])}"]
    if place.get("stage"):
        parts.append(f"第 {int(place['stage'])} 阶段" if zh else f"stage {int(place['stage'])}")
    if place.get("action"):
        parts.append(f"第 {int(place['action'])} 个超时动作" if zh else f"breach action {int(place['action'])}")
    if place.get("member"):
        parts.append(("的 " + _member_words(place["member"], zh)) if zh else _member_words(place["member"], zh))
    return ("".join(parts) if zh else ", ".join(parts)), [_hint(zh, ("策略 key", "policy key"), place.get("policy"))]


def _ruleset_rule(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    number = int(place["number"])
    words = f"第 {number} 条规则" if zh else f"rule {number}"
    if place.get("action"):
        words += f"的第 {int(place['action'])} 个动作" if zh else f", action {int(place['action'])}"
    return words, [_hint(zh, ("规则名", "rule name"), place["rule"])]


def _member(place: Mapping[str, Any], zh: bool, _names: Any) -> tuple[str, list[str]]:
    return _member_words(str(place["member"]), zh), []


_WORDERS = {"decision": _decision, "bpmn": _bpmn, "form_field": _form_field, "form": _form, "policy": _policy,
            "ruleset_rule": _ruleset_rule, "member": _member}
