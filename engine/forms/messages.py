"""Field-level error messages in zh and en, from jsonschema errors.

jsonschema's own messages are English and quote the raw value back ("'abc' is not of
type 'number'"); a handler in a district office needs a sentence in Chinese that says
what to do. Messages are keyed by the failing JSON Schema keyword.
"""
from __future__ import annotations

from typing import Any

from jsonschema.exceptions import ValidationError

from engine.forms.fields import FieldSpec
from engine.forms.i18n import normalize_lang, tr

_CHOOSE_WIDGETS = frozenset({"select", "radio", "checkboxes", "checkbox"})

CATALOG: dict[str, dict[str, str]] = {
    "required": {"zh": "请填写“{label}”", "en": "“{label}” is required"},
    "required_choice": {"zh": "请选择“{label}”", "en": "Choose “{label}”"},
    "required_attachment": {"zh": "请上传“{label}”", "en": "Attach “{label}”"},
    "type:number": {"zh": "请输入数字", "en": "Enter a number"},
    "type:integer": {"zh": "请输入整数", "en": "Enter a whole number"},
    "type:string": {"zh": "请输入文字", "en": "Enter text"},
    "type:boolean": {"zh": "请选择是或否", "en": "Choose yes or no"},
    "type:array": {"zh": "请选择一项或多项", "en": "Choose one or more options"},
    "type:object": {"zh": "格式不正确", "en": "Invalid value"},
    "enum": {"zh": "请从给定选项中选择", "en": "Choose one of the options"},
    "const": {"zh": "取值不符合要求", "en": "This value is not allowed"},
    "minLength": {"zh": "至少输入 {limit} 个字符", "en": "Enter at least {limit} characters"},
    "maxLength": {"zh": "最多输入 {limit} 个字符", "en": "Enter at most {limit} characters"},
    "minimum": {"zh": "不能小于 {limit}", "en": "Must be at least {limit}"},
    "maximum": {"zh": "不能大于 {limit}", "en": "Must be at most {limit}"},
    "exclusiveMinimum": {"zh": "必须大于 {limit}", "en": "Must be greater than {limit}"},
    "exclusiveMaximum": {"zh": "必须小于 {limit}", "en": "Must be less than {limit}"},
    "multipleOf": {"zh": "必须是 {limit} 的整数倍", "en": "Must be a multiple of {limit}"},
    "pattern": {"zh": "格式不正确", "en": "Invalid format"},
    "format:date": {"zh": "请输入有效日期（年-月-日）", "en": "Enter a valid date (YYYY-MM-DD)"},
    "format:date-time": {"zh": "请输入有效的日期和时间", "en": "Enter a valid date and time"},
    "format:email": {"zh": "请输入有效的电子邮箱地址", "en": "Enter a valid email address"},
    "format": {"zh": "格式不正确", "en": "Invalid format"},
    "minItems": {"zh": "至少选择或上传 {limit} 项", "en": "At least {limit} items are needed"},
    "maxItems": {"zh": "最多选择或上传 {limit} 项", "en": "At most {limit} items are allowed"},
    "uniqueItems": {"zh": "不能有重复项", "en": "Items must not repeat"},
    "additionalProperties": {"zh": "包含不允许的内容", "en": "Contains entries that are not allowed"},
    "invalid": {"zh": "填写内容无效", "en": "Invalid value"},
    # Files refused while they are stored (engine.attachments), before the form is validated.
    "attachment_too_large": {"zh": "“{name}”超过 {limit}，未能上传", "en": "“{name}” is larger than {limit} and was not attached"},
    "attachment_type": {"zh": "“{name}”的文件类型不符合要求（可上传：{accept}）",
                        "en": "“{name}” is not a file type this field takes ({accept})"},
    "attachment_not_image": {"zh": "“{name}”不是可以打开的图片（文件内容与图片格式不符或已损坏），未能上传",
                             "en": "“{name}” is not an image that can be opened (its content is no image or is damaged)"},
    "attachment_too_many": {"zh": "附件过多：最多 {limit} 个", "en": "Too many attachments: at most {limit}"},
    "attachment_unknown": {"zh": "附件“{name}”不属于本案件", "en": "The attachment “{name}” does not belong to this case"},
    "attachment_not_yours": {"zh": "附件“{name}”不是您上传的文件，不能使用",
                             "en": "The attachment “{name}” was uploaded by someone else and cannot be used"},
    # Date answers out of their bounds (engine.forms.dates); ui:errorMessages notBefore/notAfter override them.
    "date_too_early": {"zh": "不能早于 {limit}", "en": "Must not be earlier than {limit}"},
    "date_too_late": {"zh": "不能晚于 {limit}", "en": "Must not be later than {limit}"},
    "not_after_now": {"zh": "不能晚于当前时间", "en": "Must not be later than now"},
    "not_before_now": {"zh": "不能早于当前时间", "en": "Must not be earlier than now"},
    "not_before_case_opened": {"zh": "不能早于案件上报时间（{limit}）",
                               "en": "Must not be earlier than when the case was reported ({limit})"},
    "not_after_case_opened": {"zh": "不能晚于案件上报时间（{limit}）",
                              "en": "Must not be later than when the case was reported ({limit})"},
    # A value for a field marked ui:filledBy in a submission by someone else (engine.forms.filling).
    "filled_by:message": {"zh": "“{label}”由联动消息自动填写，不能手工填写",
                          "en": "“{label}” is filled in by the linking message and cannot be entered by hand"},
    "filled_by:rules": {"zh": "“{label}”由事件规则自动填写，不能手工填写",
                        "en": "“{label}” is filled in by the event rules and cannot be entered by hand"},
    "form_invalid": {"zh": "表单填写有误，请检查标出的字段", "en": "The form has errors; check the marked fields"},
    "not_an_object": {"zh": "提交的数据格式不正确", "en": "The submitted data must be an object"},
}


def text(key: str, lang: str, **params: Any) -> str:
    return CATALOG[key][normalize_lang(lang)].format(**params)


def required_message(spec: FieldSpec | None, name: str, lang: str) -> str:
    custom = spec.error_messages.get("required") if spec else None
    if custom:
        return tr(custom, lang)
    key = "required"
    if spec and spec.widget in _CHOOSE_WIDGETS:
        key = "required_choice"
    elif spec and spec.widget == "attachments":
        key = "required_attachment"
    return text(key, lang, label=spec.label(lang) if spec else name)


def error_message(error: ValidationError, spec: FieldSpec | None, lang: str) -> str:
    """The message for a non-required error, preferring the form's own ui:errorMessages."""
    keyword = str(error.validator)
    custom = spec.error_messages.get(keyword) if spec else None
    if custom:
        return tr(custom, lang)
    limit = error.validator_value
    if keyword == "type":
        expected = limit if isinstance(limit, str) else "object"
        return text(f"type:{expected}" if f"type:{expected}" in CATALOG else "invalid", lang)
    if keyword == "format":
        return text(f"format:{limit}" if f"format:{limit}" in CATALOG else "format", lang)
    if keyword in CATALOG:
        return text(keyword, lang, limit=limit)
    return text("invalid", lang)
