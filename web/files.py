"""Files of task forms over HTTP: the app's FileStore, the files of a post, the download header.

Storing and the permission check are the engine's (engine.attachments.service); this module only turns
werkzeug's FileStorage into engine Uploads, and names a download safely (the route is web.ui.views).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Flask, current_app
from werkzeug.datastructures import FileStorage, MultiDict

from engine.attachments.storage import FileStore
from engine.attachments.uploads import FALLBACK_NAME, Upload
from web.forms.viewmodel import attachment_views

# The rendered form posts new files of field `x` as `x__upload` (web/templates/forms/_widgets.html).
UPLOAD_SUFFIX = "__upload"
EXTENSION = "casegrid_files"
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9._()\- ]")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FileStore(Path(app.config["UPLOAD_DIR"]), int(app.config["UPLOAD_MAX_BYTES"]))
    # The case page links the files in its data the way a read-only form does.
    app.jinja_env.globals["attachment_views"] = attachment_views


def file_store() -> FileStore:
    return current_app.extensions[EXTENSION]


def file_store_of(app: Flask) -> FileStore:
    return app.extensions[EXTENSION]


def posted_uploads(files: MultiDict[str, FileStorage]) -> dict[str, list[Upload]]:
    """New files per field name; an empty file input (no file chosen) posts a part without a name."""
    uploads: dict[str, list[Upload]] = {}
    for key in files:
        if not key.endswith(UPLOAD_SUFFIX):
            continue
        chosen = [Upload(f.filename or "", f.content_type, f.stream) for f in files.getlist(key) if f.filename]
        if chosen:
            uploads[key.removesuffix(UPLOAD_SUFFIX)] = chosen
    return uploads


def content_disposition(name: str) -> str:
    """`attachment` with the name twice: plain ASCII for old clients, RFC 5987 UTF-8 for the rest.

    The name was cleaned when stored; the ASCII fallback is further limited to characters that need
    no quoting, so no client can read a header injection or a path out of it.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    safe_ext = _ascii(ext)
    # "现场照片.jpg" has no ASCII stem; "attachment.jpg" still opens as a photo for an old client.
    fallback = (_ascii(stem) or FALLBACK_NAME) + (f".{safe_ext}" if safe_ext else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _FALLBACK_UNSAFE.sub("_", plain).strip(" ._")
