"""The upload directory: files named by the sha256 of their content, written whole or not at all.

Layout: ``<root>/ab/cd/abcd…`` (two levels of fan-out keep any one folder small) and ``<root>/tmp/``
for files being written. Naming by content means the same photo attached to ten cases is kept once,
and a file never changes once it has its name, so readers need no locking.

A file is first written to ``tmp/`` on the same file system, flushed to disk, then renamed into
place: a crash or a refused upload leaves at most a stray temporary file, never a half-written file
under a real name. A file whose database row was rolled back (the form failed validation) stays
behind harmlessly: it is only ever reached through a row.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Blob:
    """A file in the store: its name (the content's sha256) and its size in bytes."""

    sha256: str
    size: int


class FileStore:
    """Content-addressed files under ``root``; ``max_bytes`` is the largest file any field may take."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.root = Path(root)
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return f"FileStore(root={str(self.root)!r}, max_bytes={self.max_bytes})"

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            # The name comes from our own rows, but it becomes a path: refuse anything but a digest.
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, limit: int | None = None) -> Blob | None:
        """Store what `stream` holds; None (and nothing kept) when it is longer than `limit` bytes.

        The size is counted while reading, not taken from a header the client sent.
        """
        limit = self.max_bytes if limit is None else min(limit, self.max_bytes)
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        return None
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            blob = Blob(digest.hexdigest(), size)
            target = self.path_for(blob.sha256)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                # Atomic on one file system; two writers of the same content both succeed.
                os.replace(tmp, target)
                _fsync_dir(target.parent)
            return blob
        finally:
            tmp.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError when the directory lacks it."""
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable; not every platform lets a directory be opened for that."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
