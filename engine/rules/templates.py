"""Fill `{name}` placeholders of action arguments from the event and match context.

A deliberately small syntax (no attribute access, no format specs): rule sets are uploaded by
analysts, and str.format would let a placeholder reach attributes of the values.
"""
from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
WHOLE = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def render(value: Any, context: dict[str, Any]) -> Any:
    """Strings get placeholders replaced ("{x}" alone keeps x's type); lists and dicts recursively."""
    if isinstance(value, str):
        whole = WHOLE.match(value)
        if whole:
            return context.get(whole.group(1))
        return PLACEHOLDER.sub(lambda m: "" if context.get(m.group(1)) is None else str(context[m.group(1)]), value)
    if isinstance(value, list):
        return [render(v, context) for v in value]
    if isinstance(value, dict):
        return {k: render(v, context) for k, v in value.items()}
    return value
