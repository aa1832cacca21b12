"""Text search with LIKE: what the user typed is matched literally, `%` and `_` included."""
from __future__ import annotations

# Passed as `escape=` with every pattern built here.
ESCAPE = "\\"


def containing(text: str) -> str:
    """A LIKE pattern for values that contain `text` as typed ("50%" finds "50%", not every value)."""
    literal = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{literal}%"


def starting_with(text: str) -> str:
    literal = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"{literal}%"
