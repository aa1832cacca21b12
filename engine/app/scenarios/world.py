"""Throwaway databases holding a definitions folder, its organisation and the demo users, no cases.

The folder is migrated, organised and deployed once into a template; each scenario runs on its own copy,
so scenarios never see each other's cases and a run of many costs one deployment.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from engine.app.bootstrap import initialise
from engine.definitions.bundle import Bundle
from engine.store.database import Database


class ThrowawayWorld:
    def __init__(self, root: Path, overlay: Bundle | None = None) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="casegrid-scenarios-")
        self._template = Path(self._folder.name) / "template.sqlite3"
        self._numbers = count(1)
        template = Database(f"sqlite:///{self._template}")
        try:
            initialise(template, root, demo_users=True, overlay=overlay)
        finally:
            template.dispose()

    @contextmanager
    def database(self) -> Iterator[Database]:
        path = Path(self._folder.name) / f"scenario-{next(self._numbers)}.sqlite3"
        shutil.copy(self._template, path)
        db = Database(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.dispose()
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self._folder.cleanup()


@contextmanager
def throwaway_world(root: Path, overlay: Bundle | None = None) -> Iterator[ThrowawayWorld]:
    world = ThrowawayWorld(root, overlay)
    try:
        yield world
    finally:
        world.close()
