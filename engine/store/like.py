"""Text search with LIKE: what the user typed is matched literally, `%` and `_` included."""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

# Passed as `escape=` with every pattern built here.
ESCAPE = "\\"


def containing(text: str) -> str:
    """A LIKE pattern for values that contain `text` as typed ("50%" finds "50%", not every value)."""
    literal = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{literal}%"


def starting_with(text: str) -> str:
    literal = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"{literal}%"


def has_prefix(column: InstrumentedAttribute[str | None], prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, in a form a plain btree index serves.

    PostgreSQL uses an index for `LIKE 'ab%'` only under the "C" collation (not even C.UTF-8), so a search
    by an event class read every case of the history. The range `prefix <= value < successor` walks the
    index and stops at a page's bound; the LIKE beside it keeps the match exact under any collation.
    """
    pattern = column.like(starting_with(prefix), escape=ESCAPE)
    if not prefix or ord(prefix[-1]) >= 0x10FFFF:
        return pattern
    successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < successor, pattern)
