"""The rule sets of the latest deployment, parsed once per deployment and registered with the adapter."""
from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from engine.definitions.bundle import kind_of
from engine.definitions.service import latest_deployment
from engine.rules.operations import OPERATION_NAMES
from engine.rules.ruleset import FOLDER, RuleSet, parse_ruleset

_cache: dict[tuple[str, int], tuple[RuleSet, ...]] = {}
_lock = threading.Lock()


def rulesets_from_files(files: dict[str, str]) -> tuple[RuleSet, ...]:
    return tuple(parse_ruleset(text, path, set(OPERATION_NAMES)) for path, text in sorted(files.items())
                 if path.startswith(FOLDER) and kind_of(path) == "ruleset")


def deployed_rulesets(session: Session) -> tuple[RuleSet, ...]:
    deployment = latest_deployment(session)
    if deployment is None:
        return ()
    key = (str(session.get_bind().url), deployment.id)
    with _lock:
        if key in _cache:
            return _cache[key]
    found = rulesets_from_files(deployment.files)
    with _lock:
        _cache[key] = found
    return found
