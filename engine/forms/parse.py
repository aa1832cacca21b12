"""Turning the bytes of a form file into a JSON document, with a Problem when that fails."""
from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from engine.errors import Problem, parse_params


def decode(text_or_bytes: str | bytes, filename: str) -> tuple[Any, list[Problem]]:
    """The parsed document and any problem; a BOM is tolerated because Windows editors add one."""
    try:
        text = text_or_bytes.decode("utf-8-sig") if isinstance(text_or_bytes, bytes) else text_or_bytes
    except UnicodeDecodeError as exc:
        return None, [Problem(filename, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                              key="file.not_utf8", params={"byte": exc.start})]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, [Problem(filename, None, f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                              key="file.not_json", params=parse_params(exc))]
    except RecursionError:
        return None, [Problem(filename, None, "nested too deeply to read; a form is a flat list of fields",
                              key="form.too_deep")]


def key_from_filename(filename: str) -> str:
    """forms/handle_event.json -> handle_event (works for Windows-style uploads too)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    return name[:-5] if name.endswith(".json") else name
