"""Shared helpers for the forms tests: the sample forms and a small form to mutate."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.forms import FormDefinition, load_form

FIXTURES = Path(__file__).parent / "fixtures"

SMALL_FORM: dict[str, Any] = {
    "key": "small",
    "title": {"zh": "小表单", "en": "Small form"},
    "schema": {
        "type": "object",
        "properties": {
            "decision": {"type": "string", "enum": ["ok", "return"]},
            "reason": {"type": "string"},
        },
        "required": ["decision"],
    },
    "uiSchema": {
        "ui:order": ["decision", "reason"],
        "decision": {
            "ui:widget": "radio",
            "ui:title": {"zh": "结论", "en": "Decision"},
            "ui:enumNames": [{"zh": "通过", "en": "OK"}, {"zh": "退回", "en": "Return"}],
        },
        "reason": {
            "ui:widget": "textarea",
            "ui:title": {"zh": "退回原因", "en": "Reason"},
            "ui:visibleIf": {"field": "decision", "in": ["return"]},
        },
    },
}


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text("utf-8")


@pytest.fixture
def disposal() -> FormDefinition:
    return load_form(fixture_text("event_disposal"), "event_disposal.json")


@pytest.fixture
def acceptance() -> FormDefinition:
    return load_form(fixture_text("licence_acceptance"), "licence_acceptance.json")


@pytest.fixture
def small_doc() -> dict[str, Any]:
    return copy.deepcopy(SMALL_FORM)


@pytest.fixture
def as_text() -> Callable[[dict[str, Any]], str]:
    return lambda doc: json.dumps(doc, ensure_ascii=False)
