"""The format checker used for submissions.

jsonschema only checks ``date-time`` when the optional rfc3339-validator package is
installed; rather than add a dependency we check RFC 3339 date-times ourselves, so
``format: date-time`` is enforced on every installation.
"""
from __future__ import annotations

import re
from datetime import datetime

from jsonschema import FormatChecker

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def is_rfc3339_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings; the type keyword handles the rest
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def make_format_checker() -> FormatChecker:
    """A fresh checker (date, email, ... from jsonschema, plus date-time), never the global one."""
    checker = FormatChecker()
    checker.checks("date-time")(is_rfc3339_datetime)
    return checker


FORMAT_CHECKER = make_format_checker()
