"""What an attachments field takes: the types of its ``ui:options.accept`` and a largest size.

The browser's file picker honours ``accept`` only as a hint (and a client need not use the page at
all), so the server checks it again. Matching follows the HTML ``accept`` attribute: a list of
``type/subtype``, ``type/*`` or ``.extension`` entries, any one of which admits a file.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.forms.fields import FieldSpec


def accept_of(spec: FieldSpec) -> str:
    value = spec.ui_options.get("accept") if isinstance(spec.ui_options, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def keeps_exif(spec: FieldSpec) -> bool:
    """Whether the field keeps a photo's EXIF (``ui:options.keepExif``: true), place of capture included;
    by default it is stripped (engine.attachments.images)."""
    return isinstance(spec.ui_options, Mapping) and spec.ui_options.get("keepExif") is True


def accepts(accept: str, content_type: str, filename: str) -> bool:
    """Whether a file of this (cleaned) type and name matches the field's accept list; "" admits all."""
    entries = [e.strip().lower() for e in accept.split(",") if e.strip()]
    if not entries:
        return True
    content_type = content_type.lower()
    filename = filename.lower()
    for entry in entries:
        if entry in ("*", "*/*"):
            return True
        if entry.startswith("."):
            if filename.endswith(entry) and len(filename) > len(entry):
                return True
        elif entry.endswith("/*"):
            if content_type.startswith(entry[:-1]):
                return True
        elif entry == content_type:
            return True
    return False


# What an accept entry reads as in an error message: people know "图片", not "image/*".
_TYPE_WORDS: dict[str, tuple[str, str]] = {
    "image/*": ("图片", "images"), "video/*": ("视频", "videos"), "audio/*": ("音频", "audio files"),
    "text/*": ("文本文件", "text files"), "application/pdf": ("PDF 文件", "PDF files"),
    "image/jpeg": ("JPEG 图片", "JPEG images"), "image/png": ("PNG 图片", "PNG images"),
}


def accept_in_words(accept: str, lang: str) -> str:
    """The field's accept list as words ("图片、PDF 文件"); an extension reads as its name in capitals."""
    words: list[str] = []
    for entry in (e.strip().lower() for e in accept.split(",") if e.strip()):
        known = _TYPE_WORDS.get(entry)
        if known is not None:
            word = known[0] if lang == "zh" else known[1]
        elif entry.startswith("."):
            word = entry[1:].upper() + (" 文件" if lang == "zh" else " files")
        else:
            word = entry
        if word not in words:
            words.append(word)
    return ("、" if lang == "zh" else ", ").join(words)


def size_limit(spec: FieldSpec, store_max: int) -> int:
    """The store's limit, or the form's own if its items schema caps ``size`` lower.

    se_feedback says ``"items": {"properties": {"size": {"maximum": 10485760}}}``; checking that while
    the file arrives names the file in the error, instead of "item 3: must be at most 10485760" after.
    """
    size_schema = _size_schema(spec.schema.get("items"))
    limit = store_max
    maximum = size_schema.get("maximum")
    if _is_number(maximum):
        limit = min(limit, int(maximum))
    exclusive = size_schema.get("exclusiveMaximum")
    if _is_number(exclusive):
        limit = min(limit, int(exclusive) - 1 if float(exclusive).is_integer() else int(exclusive))
    return max(limit, 0)


def _size_schema(items: Any) -> Mapping[str, Any]:
    if not isinstance(items, Mapping):
        return {}
    properties = items.get("properties")
    size = properties.get("size") if isinstance(properties, Mapping) else None
    return size if isinstance(size, Mapping) else {}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def human_size(size: int) -> str:
    """'20 MB', '512 KB', '300 B': how a limit reads in an error message."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value.is_integer() else f"{value:.1f} {unit}"
    return f"{size} B"
