"""Everything a deployed process version needs at run time, built once per process and cached.

A version never changes after deployment, so its parsed spec, forms and script engine are safe to
share between requests; the cache is keyed by version id.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import forms as form_defs
from engine.definitions.bundle import Bundle
from engine.definitions.scripting import script_engine_for
from engine.errors import NotFound
from engine.runtime.parsing import ParsedProcess, parse_process
from engine.store.models.definitions import Deployment, ProcessVersion
from engine.store.remembered import for_transaction


@dataclass(frozen=True)
class VersionRuntime:
    version_id: int
    process_key: str
    deployment_id: int
    parsed: ParsedProcess
    forms: dict[str, Any]
    script_engine: Any
    version: int = 0  # the version's number (v3)
    name: str = ""
    family: str | None = None

    def form(self, key: str | None) -> Any | None:
        return self.forms.get(key) if key else None


_CACHE_SIZE = 128
# Keyed by database URL too: tests (and tools) open several databases in one process whose ids overlap.
_cache: OrderedDict[tuple[str, int], VersionRuntime] = OrderedDict()
_lock = Lock()


def _build(version: ProcessVersion, files: dict[str, str]) -> VersionRuntime:
    bundle = Bundle(files)
    bpmn_files = tuple(sorted(bundle.of_kind("bpmn").items()))
    parsed = parse_process(bpmn_files, version.process_key)
    forms = {}
    for path, text in bundle.of_kind("form").items():
        form = form_defs.load_form(text, path)
        forms[form.key] = form
    return VersionRuntime(
        version_id=version.id,
        process_key=version.process_key,
        deployment_id=version.deployment_id,
        parsed=parsed,
        forms=forms,
        script_engine=script_engine_for(bundle),
        version=version.version,
        name=version.name,
        family=version.family,
    )


def runtime_for(session: Session, version_id: int) -> VersionRuntime:
    key = (str(session.get_bind().url), version_id)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    version = session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound(f"process version {version_id} does not exist")
    files = session.scalars(select(Deployment.files).where(Deployment.id == version.deployment_id)).one()
    built = _build(version, files)
    with _lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


_VERSIONS = ProcessVersion.__table__
# Built once, on the table: a start only needs the version's id, and its runtime is cached by id. Loading
# the ORM object (as engine.definitions.service.get_version does) cost a start more than the rest of it.
_LATEST_ID = (select(_VERSIONS.c.id, _VERSIONS.c.version).where(_VERSIONS.c.process_key == bindparam("process_key"))
              .order_by(_VERSIONS.c.version.desc()).limit(1))
_NUMBERED_ID = select(_VERSIONS.c.id, _VERSIONS.c.version).where(
    _VERSIONS.c.process_key == bindparam("process_key"), _VERSIONS.c.version == bindparam("version"))
_READ_IDS = "casegrid.read_version_ids"


def version_runtime(session: Session, process_key: str, version: int | None = None) -> VersionRuntime:
    """The runtime of a deployed version of `process_key` (the latest when `version` is None).

    A numbered version never changes once deployed: asked for again in the same transaction (a start
    authorises against the latest, then starts that numbered version), its id is not read again."""
    memo: dict[tuple[str, int], int] = for_transaction(session, _READ_IDS, session.get_transaction(), dict)
    found = memo.get((process_key, version)) if version is not None else None
    if found is None:
        connection = session.connection()
        row = (connection.execute(_LATEST_ID, {"process_key": process_key}) if version is None else
               connection.execute(_NUMBERED_ID, {"process_key": process_key, "version": version})).first()
        if row is None:
            raise NotFound(f"no deployed process '{process_key}'" + (f" version {version}" if version else ""))
        found = memo[(process_key, row.version)] = row.id
    return runtime_for(session, found)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
