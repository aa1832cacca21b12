"""The case page's data section (案件信息): what people answered, each under the label of the field that asked.

Built from the record of answers (engine.cases.record: the start form, each completed task's form, each
report through a catch event's form), never from the raw process data labelled by field name. A process
keeps its own variables (loop variables, counters, a grade the rules computed) under whatever names its
analyst chose; when such a name is also a field of some form, labelling the raw value with that field's
label tells a reader something nobody answered (联动单位: the last agency a dispatch loop handled; 新级别
when no grade change was reported). Answers cannot collide that way, whatever a future process names.
The raw process data stays available, apart and unlabelled, for the people who fix processes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.cases.record import Answer, CaseRecord


@dataclass
class CaseData:
    fields: list[Answer] = field(default_factory=list)
    other: dict[str, Any] = field(default_factory=dict)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def case_data(record: CaseRecord | None, data: Mapping[str, Any]) -> CaseData:
    """Each field's latest answer, in the order the fields were first answered; ``other`` holds the
    process data no answer accounts for (a key nobody answered, or whose value the process changed since)."""
    result = CaseData()
    latest: dict[str, Answer] = {}
    for step in record.steps if record is not None else ():
        for answer in step.answers:
            latest[answer.name] = answer  # dicts keep the first insertion's position
    result.fields = list(latest.values())
    result.other = {key: value for key, value in sorted(data.items())
                    if not _empty(value) and not (key in latest and latest[key].value == value)}
    return result
