"""Who fills a submission: a person, or the engine on behalf of a message or an event rule.

A field marked ``ui:filledBy`` (``"message"`` or ``"rules"``) is filled only by that kind of submission:
the payload of a message that starts the case, an event rule's start_case action. A person's submission
(an HTML post, the REST API, the CLI) carrying a value for it is refused with a field error, so a typed
来源案件 can never name a case that waits for nothing. See docs/forms.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from engine.forms import messages

if TYPE_CHECKING:
    from engine.forms.definition import FormDefinition


class Filler(StrEnum):
    PERSON = "person"    # someone filling the form: the web UI, the API, the CLI, the demo
    MESSAGE = "message"  # a message's payload: a message start, a delivery to a waiting case
    RULES = "rules"      # an event rule's start_case action


FILLED_BY = frozenset({Filler.MESSAGE.value, Filler.RULES.value})
_EMPTY = ("", None, [], {})


def not_theirs_errors(form: FormDefinition, data: Mapping[str, Any], filler: Filler, lang: str) -> dict[str, list[str]]:
    """Field errors for values `filler` gave to fields someone else fills (an empty value is no answer)."""
    errors: dict[str, list[str]] = {}
    for spec in form.fields:
        if spec.filled_by is None or spec.filled_by == filler or spec.name not in data:
            continue
        value = data[spec.name]
        if value in _EMPTY or (isinstance(value, str) and not value.strip()):
            continue
        errors[spec.name] = [messages.text(f"filled_by:{spec.filled_by}", lang, label=spec.label(lang))]
    return errors
