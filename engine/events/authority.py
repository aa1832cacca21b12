"""Who may post which event through the API: the rule sets grant it per event type (`posted_by`).

An event is a request to the rules to act — start an emergency case, link and re-prioritise cases —
so posting one needs the authority the configuration gives for its type, and it may name only cases
the poster can see. Without this any signed-in user could start cases they may not start themselves.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, InvalidInput, NotFound
from engine.org.access import Actor, may_see_case
from engine.rules.ruleset import RuleSet
from engine.store.models.cases import Case


def posting_roles(rulesets: Iterable[RuleSet], event_type: str) -> set[str]:
    """The roles any deployed rule set accepting `event_type` lets post it."""
    return {role for ruleset in rulesets if event_type in ruleset.accepts for role in ruleset.posted_by}


def check_may_post(actor: Actor, rulesets: Iterable[RuleSet], event_type: str) -> None:
    if actor.is_system:
        return
    if not posting_roles(rulesets, event_type) & actor.role_codes:
        raise Forbidden(f"you may not post events of type '{event_type}'")


def check_named_cases(session: Session, actor: Actor, payload: dict[str, Any]) -> None:
    """A case the payload names (case_id, case_key) must exist and be visible: 404 as for a missing one."""
    case_id, case_key = payload.get("case_id"), payload.get("case_key")
    if case_id is not None and (not isinstance(case_id, int) or isinstance(case_id, bool)):
        raise InvalidInput("invalid event", {"payload.case_id": ["must be a case id (an integer)"]})
    if case_key is not None and not isinstance(case_key, str):
        raise InvalidInput("invalid event", {"payload.case_key": ["must be a case key (text)"]})
    by_id = session.get(Case, case_id) if case_id is not None else None
    if case_id is not None and (by_id is None or not may_see_case(session, actor, by_id.id)):
        raise NotFound(f"case {case_id} does not exist")
    if case_key is not None:
        by_key = session.scalars(select(Case).where(Case.business_key == case_key)).first()
        if by_key is None or not may_see_case(session, actor, by_key.id):
            raise NotFound(f"case {case_key} does not exist")
        if by_id is not None and by_id.id != by_key.id:
            raise InvalidInput("invalid event", {"payload.case_key": ["names another case than case_id"]})
