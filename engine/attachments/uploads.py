"""One posted file as the engine takes it, whatever web framework received it.

The file name and content type come from the uploader's browser: both are cleaned here, because
the name is shown on pages and sent back in a Content-Disposition header, and the type decides
what a field accepts and how the file is served.
"""
from __future__ import annotations

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

MAX_NAME_LENGTH = 255  # the metadata schema's limit (engine.forms.attachments)
FALLBACK_NAME = "attachment"
OCTET_STREAM = "application/octet-stream"

# type/subtype as RFC 6838 allows it; parameters (";charset=…") are dropped before matching.
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


@dataclass(frozen=True)
class Upload:
    """A file posted for an attachments field: the name and type the client declared, and its bytes."""

    filename: str
    content_type: str | None
    stream: BinaryIO

    @property
    def name(self) -> str:
        return clean_filename(self.filename)

    @property
    def media_type(self) -> str:
        return media_type(self.content_type, self.name)


def clean_filename(raw: str | None) -> str:
    """The last path segment, NFC, without control characters, at most 255 characters (extension kept).

    Some browsers send the whole client path ("C:\\Users\\…\\photo.jpg"); only the name is the user's.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def media_type(declared: str | None, filename: str) -> str:
    """The declared type, lower-cased and without parameters; guessed from the name when the client
    sent none, a malformed one, or the catch-all octet-stream."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    if _MEDIA_TYPE.match(value) and value != OCTET_STREAM:
        return value
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed.lower() if guessed else OCTET_STREAM
