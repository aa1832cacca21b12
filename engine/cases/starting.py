"""Starting cases on behalf of people: which processes a user may start, with which form."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.access import may_start
from engine.cases.service import start_form_key
from engine.definitions.service import process_summaries
from engine.definitions.versions import VersionRuntime, version_runtime
from engine.errors import Forbidden
from engine.forms.definition import FormDefinition
from engine.forms.visibility import same_value
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
    runtime = version_runtime(session, process_key, version)
    return Startable(runtime.process_key, runtime.name, runtime.version, runtime.form(start_form_key(runtime)),
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


def suggested_answers(form: FormDefinition, actor: Actor) -> dict[str, Any]:
    """What a start form shows already chosen for `actor`, who may change it before sending.

    A choice field offering exactly one of the units the actor's roles are scoped to gets it (a grid
    worker reports in their own grid cell); a field whose ``ui:options.roleDefaults`` names a role the
    actor holds gets that role's option (a grid worker's report comes by the channel 网格员巡查). A
    person with two fitting roles or scopes gets no suggestion: guessing wrong is worse than asking.
    """
    scopes = {scope for _role, scope in actor.roles if scope}
    roles = actor.role_codes
    answers: dict[str, Any] = {}
    for spec in form.fields:
        if not spec.options or spec.widget in ("checkboxes", "attachments"):
            continue
        own = [option.value for option in spec.options if isinstance(option.value, str) and option.value in scopes]
        by_role = spec.ui_options.get("roleDefaults") if isinstance(spec.ui_options, Mapping) else None
        picks = [value for role, value in by_role.items() if role in roles] if isinstance(by_role, Mapping) else []
        picks = [value for value in picks if any(same_value(option.value, value) for option in spec.options)]
        if len(own) == 1:
            answers[spec.name] = own[0]
        elif len(picks) == 1 or (picks and all(same_value(picks[0], value) for value in picks)):
            answers[spec.name] = picks[0]
    return answers
