"""The upload directory: files named by the sha256 of their content, written whole or not at all.

Layout: ``<root>/ab/cd/abcd…`` (two levels of fan-out keep any one folder small) and ``<root>/tmp/``
for files being written. Naming by content means the same photo attached to ten cases is kept once,
and a file never changes once it has its name, so readers need no locking.

A file is first written to ``tmp/`` on the same file system, flushed to disk, then renamed into
place: a crash or a refused upload leaves at most a stray temporary file, never a half-written file
under a real name. A file whose database row was rolled back (the form failed validation) stays
behind harmlessly: it is only ever reached through a row, and the orphan purge
(engine.attachments.purge) removes it once no row names its content.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
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
            target.parent.mkdir(parents=True, exist_ok=True)
            # Atomic on one file system; two writers of the same content both succeed. The file is
            # replaced even when the content is already there: its fresh mtime tells the orphan purge
            # (engine.attachments.purge) that a row naming it may be about to commit.
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

    def stored(self) -> Iterator[tuple[str, float]]:
        """Every stored file as (sha256, mtime), in no particular order; files being written are not listed."""
        for first in _subdirs(self.root):
            if first.name == "tmp" or len(first.name) != 2:
                continue
            for second in _subdirs(first):
                for entry in os.scandir(second):
                    if entry.is_file(follow_symlinks=False) and _SHA256.match(entry.name):
                        try:
                            yield entry.name, entry.stat(follow_symlinks=False).st_mtime
                        except FileNotFoundError:
                            continue  # removed meanwhile

    def stale_temporary(self, before: float) -> Iterator[Path]:
        """Files in ``tmp/`` last written before the timestamp `before`: left by a crash mid-write."""
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            return
        for entry in os.scandir(tmp_dir):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < before:
                    yield Path(entry.path)
            except FileNotFoundError:
                continue

    def remove_unless_fresh(self, sha256: str, written_before: float, still_unreferenced: Callable[[], bool]) -> bool:
        """Remove the file of `sha256` if it was last written before `written_before` (a timestamp) and
        `still_unreferenced()` holds once it is out of the way; True when removed.

        Safe against a concurrent ``put`` of the same content whose row is not committed yet: the file
        is first renamed aside (atomic), so a ``put`` either lands before that (and the aside file has a
        fresh mtime: it is put back) or after (it writes a new file under the real name, which stays).
        After the rename the database is asked again; a row that appeared meanwhile puts the file back.
        """
        target = self.path_for(sha256)
        aside = self.root / "tmp" / f"purge-{sha256}-{uuid.uuid4().hex}"
        aside.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(target, aside)
        except FileNotFoundError:
            return False
        try:
            fresh = aside.stat().st_mtime >= written_before
        except FileNotFoundError:
            return False
        if fresh or not still_unreferenced():
            # Same content under the same name: replacing a newer copy is harmless.
            os.replace(aside, target)
            return False
        aside.unlink(missing_ok=True)
        return True


def _subdirs(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        return
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            yield Path(entry.path)


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
