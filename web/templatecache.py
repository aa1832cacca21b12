"""Compiled templates shared by every Flask app of one process.

Jinja compiles a template once per environment, and every app has its own. A process that builds many
apps (the test suite builds hundreds, one per test database) compiled the same 40 templates again for
each; with this cache a template's source is parsed and compiled once per process, and an app only
loads the compiled code. Jinja checks each entry against the template's source checksum, so an edited
template is compiled afresh. Every app of casegrid configures Jinja alike (web.create_app), which is what
makes the compiled code interchangeable between them.
"""
from __future__ import annotations

import threading

from jinja2.bccache import Bucket, BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
    """Marshalled template code in memory, by template name and file."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        compiled = bucket.bytecode_to_string()
        with self._lock:
            self._compiled[bucket.key] = compiled

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()


SHARED = ProcessBytecodeCache()
