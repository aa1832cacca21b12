"""Failed user actions, recorded where an operator sees them repeat.

The user's start or completion raised (a script, a condition, a decision): the user is answered 422
and the action's transaction rolled back, so the case is unchanged. This records the failure in a
transaction of its own, one row per (case, element) whose attempts count up, so that a step that
fails for everyone shows on the operator page instead of only in each user's browser.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from engine.errors import SandboxViolation, ScriptFailed
from engine.incidents.describe import describe
from engine.incidents.service import open_incident
from engine.store.database import Database
from engine.store.models.cases import Case
from engine.store.models.incidents import Incident, IncidentKind

log = logging.getLogger(__name__)

# What a definition's scripts and conditions raise; bad form input (InvalidInput) is the user's to fix.
RECORDED = (ScriptFailed, SandboxViolation)


def record_user_failure(db: Database, exc: BaseException, actor: str) -> Incident | None:
    """Record `exc` if it is a definition failure met by a user's action; never raises.

    The case comes from the failing task's data (``case_key``) or the error's "case <key>" prefix; a
    failed start has no case row (it was rolled back) and is recorded against its process."""
    if not isinstance(exc, RECORDED):
        return None
    failure = describe(exc, IncidentKind.USER_ACTION)
    try:
        with db.transaction() as session:
            case_id = None
            if failure.case_key:
                case_id = session.scalar(select(Case.id).where(Case.business_key == failure.case_key))
            if case_id is None and not failure.process_key:
                return None  # nowhere to show it
            return open_incident(session, failure, case_id=case_id, raised_by=actor)
    except Exception:  # noqa: BLE001 - the user's answer (the 422) matters more than this record
        log.exception("could not record a failed user action")
        return None
