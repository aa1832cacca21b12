"""Deploy definitions as new versions; look versions up. Services take the session first."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, defer

from engine.definitions.bpmn_checks import referenced_decisions, referenced_forms
from engine.definitions.bundle import Bundle
from engine.definitions.validation import Catalogue, validate_bundle
from engine.errors import DefinitionInvalid, NotFound
from engine.org.service import known_organisation
from engine.store.models.definitions import Deployment, ProcessVersion


@dataclass
class DeployResult:
    deployment: Deployment
    new_versions: list[ProcessVersion] = field(default_factory=list)
    unchanged: bool = False


def latest_deployment(session: Session) -> Deployment | None:
    return session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(1)).first()


def current_bundle(session: Session) -> Bundle:
    latest = latest_deployment(session)
    return Bundle(dict(latest.files)) if latest else Bundle()


def validate(session: Session | None, bundle: Bundle, overlay: bool = True) -> tuple[list, Catalogue, Bundle]:
    """Validate `bundle` laid over what is deployed (when a session is given)."""
    full = current_bundle(session).overlay(bundle) if (session is not None and overlay) else bundle
    known = known_organisation(session) if session is not None else None
    problems, catalogue = validate_bundle(full, known)
    return problems, catalogue, full


def _process_hash(full: Bundle, catalogue: Catalogue, key: str) -> str:
    """A process changes when its diagram, or a form or decision table it uses, changes."""
    path = catalogue.processes[key].path
    root = etree.fromstring(full.files[path].encode("utf-8"))
    parts = [path, full.files[path]]
    for form_key in sorted(referenced_forms(root)):
        form_path = catalogue.form_paths.get(form_key)
        parts.append(full.files[form_path] if form_path else form_key)
    for decision in sorted(referenced_decisions(root)):
        dmn_path = catalogue.decisions.get(decision, decision)
        parts.append(full.files.get(dmn_path, dmn_path))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def deploy(session: Session, bundle: Bundle, actor: str, overlay: bool = True) -> DeployResult:
    """Validate and store; identical content is a no-op; processes whose content changed get a new version."""
    problems, catalogue, full = validate(session, bundle, overlay)
    if problems:
        raise DefinitionInvalid(problems)
    # Seed users carry passwords; they are loaded into the users table (hashed), never kept as files.
    full = full.without_seed_data()
    digest = full.content_hash()
    existing = session.scalars(select(Deployment).where(Deployment.content_hash == digest)).first()
    latest = latest_deployment(session)
    if existing is not None and latest is not None and existing.id == latest.id:
        return DeployResult(existing, unchanged=True)
    deployment = Deployment(content_hash=digest, files=full.files, deployed_by=actor)
    if existing is not None:
        # Rolling back to an earlier snapshot: a new deployment row keeps "latest" meaning "newest".
        deployment.content_hash = hashlib.sha256(f"{digest}:{latest.id if latest else 0}".encode()).hexdigest()
    session.add(deployment)
    session.flush()
    result = DeployResult(deployment)
    for key, info in sorted(catalogue.processes.items()):
        process_hash = _process_hash(full, catalogue, key)
        current = latest_version(session, key)
        if current is not None and current.content_hash == process_hash:
            continue
        version = ProcessVersion(
            process_key=key,
            version=(current.version + 1) if current else 1,
            name=info.name,
            family=info.family,
            content_hash=process_hash,
            bpmn_file=info.path,
            bpmn_xml=full.files[info.path],
            deployment_id=deployment.id,
        )
        session.add(version)
        result.new_versions.append(version)
    session.flush()
    return result


# Built once. The diagram's text, tens of kB, is left for when it is read (the studio, the API's file).
_LATEST_VERSION = (
    select(ProcessVersion).where(ProcessVersion.process_key == bindparam("process_key"))
    .order_by(ProcessVersion.version.desc()).limit(1).options(defer(ProcessVersion.bpmn_xml))
)
_NUMBERED_VERSION = (
    select(ProcessVersion).where(ProcessVersion.process_key == bindparam("process_key"),
                                 ProcessVersion.version == bindparam("version"))
    .options(defer(ProcessVersion.bpmn_xml))
)


def latest_version(session: Session, process_key: str) -> ProcessVersion | None:
    return session.scalars(_LATEST_VERSION, {"process_key": process_key}).first()


def get_version(session: Session, process_key: str, version: int | None = None) -> ProcessVersion:
    """The deployed version (the latest when `version` is None). A case start reads only the version's id
    (engine.definitions.versions.version_runtime)."""
    if version is None:
        found = latest_version(session, process_key)
    else:
        found = session.scalars(_NUMBERED_VERSION, {"process_key": process_key, "version": version}).first()
    if found is None:
        raise NotFound(f"no deployed process '{process_key}'" + (f" version {version}" if version else ""))
    return found


def process_names(session: Session) -> dict[str, str]:
    """Each deployed process's name as its latest version gives it, for lists that show process keys."""
    latest = (select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
              .group_by(ProcessVersion.process_key).subquery())
    rows = session.execute(select(ProcessVersion.process_key, ProcessVersion.name).join(
        latest, (ProcessVersion.process_key == latest.c.process_key) & (ProcessVersion.version == latest.c.version)))
    return {key: name or key for key, name in rows}


def list_versions(session: Session, process_key: str | None = None) -> list[ProcessVersion]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_key, ProcessVersion.version.desc())
    if process_key:
        query = query.where(ProcessVersion.process_key == process_key)
    return list(session.scalars(query))


def process_summaries(session: Session) -> list[tuple[str, str, int, int]]:
    """(key, latest name, latest version, number of versions) per process."""
    rows = session.execute(
        select(ProcessVersion.process_key, func.max(ProcessVersion.version), func.count())
        .group_by(ProcessVersion.process_key).order_by(ProcessVersion.process_key)
    ).all()
    out = []
    for key, latest, count in rows:
        out.append((key, get_version(session, key, latest).name, latest, count))
    return out
