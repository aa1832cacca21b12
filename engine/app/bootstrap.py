"""Bring a database to a working state: migrate, deploy bundled definitions, load the organisation."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.app.boot import boot
from engine.config import Settings
from engine.definitions.bundle import Bundle, load_root
from engine.definitions.service import deploy
from engine.errors import DefinitionInvalid, Problem
from engine.org.config import ORGANISATION_FILE, organisation_from_files
from engine.org.service import load_organisation
from engine.sla.bootstrap import seed_calendar
from engine.store.database import Database
from engine.store.migrate import upgrade


@dataclass
class InitReport:
    new_versions: list[str] = field(default_factory=list)
    org_counts: dict[str, int] = field(default_factory=dict)
    demo_cases: int = 0


def initialise(db: Database, root: Path, demo: bool = False, demo_users: bool | None = None,
               overlay: Bundle | None = None) -> InitReport:
    """Migrate, load the organisation, deploy `root`'s definitions (with `overlay` laid over them), seed the
    calendar; with `demo`, the demo users and cases too (`demo_users` alone: the users without the cases,
    as scenarios need)."""
    boot()
    upgrade(db.url)
    bundle = load_root(root) if overlay is None else load_root(root).overlay(overlay)
    report = InitReport()
    org_files = {path: text for path, text in bundle.files.items() if path.startswith("rules/")}
    with_users = demo if demo_users is None else demo_users
    try:
        org = organisation_from_files(org_files if with_users else {k: v for k, v in org_files.items()
                                                                     if not k.endswith("demo_users.yaml")})
    except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:  # a malformed file: refused before anything is loaded
        raise DefinitionInvalid([Problem(ORGANISATION_FILE, None, f"cannot read the organisation: {exc}", key="organisation.unreadable", params={"reason": str(exc)})]) from exc
    with db.transaction() as session:
        # The organisation first: lanes are validated against it.
        report.org_counts = load_organisation(session, org)
        result = deploy(session, bundle, actor="system")
        report.new_versions = [f"{v.process_key} v{v.version}" for v in result.new_versions]
        # The business calendar table: chinese_calendar's years plus official year files.
        seed_calendar(session, root)
    if demo:
        from engine.demo.emergency import seed_demo_incidents
        from engine.demo.licensing import seed_demo_applications
        from engine.demo.social_event import seed_demo_cases

        report.demo_cases = seed_demo_cases(db) + seed_demo_applications(db) + seed_demo_incidents(db)
    return report


def ensure_instance_dir(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
