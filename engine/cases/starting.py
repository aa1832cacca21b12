"""Starting cases on behalf of people: which processes a user may start, with which form."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.access import may_start
from engine.cases.service import start_form_key
from engine.definitions.service import get_version, process_summaries
from engine.definitions.versions import VersionRuntime, runtime_for
from engine.errors import Forbidden
from engine.org.access import Actor
from engine.runtime.parsing import spiff_properties


@dataclass(frozen=True)
class Startable:
    process_key: str
    name: str
    version: int
    form: Any | None  # FormDefinition of the start event, if it names one
    lane: str | None
    starters: frozenset[str] = frozenset()  # start event property `starters`: role codes


def start_lane(runtime: VersionRuntime) -> str | None:
    for spec in runtime.parsed.spec.task_specs.values():
        if type(spec).__name__ == "StartEvent":
            return getattr(spec, "lane", None)
    return None


def starter_roles(runtime: VersionRuntime) -> frozenset[str]:
    """The role codes of the start event's `starters` property (comma-separated; validated at deploy)."""
    for spec in runtime.parsed.spec.task_specs.values():
        if type(spec).__name__ == "StartEvent":
            return parse_starters(spiff_properties(spec).get("starters"))
    return frozenset()


def parse_starters(value: str | None) -> frozenset[str]:
    return frozenset(code.strip() for code in (value or "").split(",") if code.strip())


def startable(session: Session, process_key: str, version: int | None = None) -> Startable:
    found = get_version(session, process_key, version)
    runtime = runtime_for(session, found.id)
    return Startable(found.process_key, found.name, found.version, runtime.form(start_form_key(runtime)),
                     start_lane(runtime), starter_roles(runtime))


def startable_for(session: Session, actor: Actor) -> list[Startable]:
    out = []
    for key, _name, latest, _count in process_summaries(session):
        entry = startable(session, key, latest)
        if may_start(actor, entry.lane, entry.starters):
            out.append(entry)
    return out


def authorise_start(session: Session, process_key: str, version: int | None, actor: Actor) -> Startable:
    entry = startable(session, process_key, version)
    if not may_start(actor, entry.lane, entry.starters):
        who = ", ".join(sorted(entry.starters)) if entry.starters else entry.lane
        raise Forbidden(f"{actor.username} may not start '{process_key}' (started by: {who})",
                        key="case.may_not_start", params={"key_process": process_key})
    return entry
