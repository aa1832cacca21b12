"""Starting cases on behalf of people: which processes a user may start, with which form."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.attachments.service import bind_to_case, store_start_uploads
from engine.attachments.storage import FileStore
from engine.attachments.uploads import Upload
from engine.cases.access import may_start
from engine.cases.service import start_case, start_form_key
from engine.definitions.service import get_version, process_summaries
from engine.definitions.versions import VersionRuntime, runtime_for
from engine.errors import Forbidden
from engine.org.access import Actor
from engine.runtime.parsing import spiff_properties
from engine.store.models.cases import Case


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
        raise Forbidden(f"{actor.username} may not start '{process_key}' (started by: {who})")
    return entry


def start_as(session: Session, process_key: str, data: dict[str, Any], actor: Actor,
             version: int | None = None, lang: str = "zh") -> Case:
    """start_case after checking the start event's starters (or lane) against the actor's roles.

    Attachment metadata in `data` may name one of our files (``{"id": 17}`` or ``/attachments/<id>``)
    only if it is the actor's own pending upload (engine.attachments.unbound), which is bound to the new
    case in this transaction: a new case has no files yet, and another case's file is not to be borrowed.
    """
    entry = authorise_start(session, process_key, version, actor)
    pending: list[int] = []
    if entry.form is not None and entry.form.has_attachments:
        data, pending = store_start_uploads(session, None, entry.form, data, {}, actor, lang)
    case = start_case(session, process_key, data, actor, version=version, lang=lang)
    bind_to_case(session, pending, case.id)
    return case


def start_posted(session: Session, process_key: str, posted: Mapping[str, Any], actor: Actor,
                 lang: str = "zh", *, uploads: Mapping[str, Sequence[Upload]] | None = None,
                 store: FileStore | None = None) -> Case:
    """Start a case from the posted start form; `uploads` are the new files per attachments field,
    kept in `store`.

    The files are stored and their rows added (without a case) before the form is validated, their
    metadata appended to the field, then the case is started and the rows bound to it — all in the
    caller's transaction: a refused file or a refused form leaves neither a case nor a row.
    """
    entry = authorise_start(session, process_key, None, actor)
    data = entry.form.coerce_html_form(posted) if entry.form is not None else {}
    stored: list[int] = []
    if entry.form is not None and entry.form.has_attachments:
        data, stored = store_start_uploads(session, store, entry.form, data, uploads or {}, actor, lang)
    case = start_case(session, process_key, data, actor, version=entry.version, lang=lang)
    bind_to_case(session, stored, case.id)
    return case
